// Sift's own script: keyboard shortcuts and the TOML editor's line numbers. Pages work
// without it.
// "/" puts the cursor in the page's search field (Leads), unless one is already typing.
document.addEventListener("keydown", function (event) {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  var target = event.target;
  var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  if (typing) return;
  var search = document.querySelector("input[type=search]");
  if (!search) return;
  event.preventDefault();
  search.focus();
  search.select();
});

// The TOML editor (settings): the line numbers follow the text as it is typed, and a
// problem's "line, column" link puts the cursor there. Without this the editor still works.
document.addEventListener("input", function (event) {
  var textarea = event.target;
  if (!textarea || textarea.tagName !== "TEXTAREA" || !textarea.hasAttribute("data-gutter")) return;
  var gutter = document.getElementById(textarea.getAttribute("data-gutter"));
  if (!gutter) return;
  var lines = textarea.value.split("\n").length;
  var numbers = [];
  for (var i = 1; i <= lines; i++) numbers.push(i);
  gutter.textContent = numbers.join("\n");
});
document.addEventListener("click", function (event) {
  var link = event.target && event.target.closest ? event.target.closest("a[data-line]") : null;
  var textarea = document.getElementById("text");
  if (!link || !textarea) return;
  event.preventDefault();
  var line = parseInt(link.getAttribute("data-line"), 10) || 1;
  var column = parseInt(link.getAttribute("data-column"), 10) || 1;
  var rows = textarea.value.split("\n");
  var start = 0;
  for (var i = 0; i < line - 1 && i < rows.length; i++) start += rows[i].length + 1;
  var at = Math.min(start + column - 1, start + (rows[line - 1] || "").length);
  textarea.focus();
  textarea.setSelectionRange(at, at);
  var editor = textarea.closest(".editor");
  if (editor) {
    var height = parseFloat(window.getComputedStyle(textarea).lineHeight) || 20;
    editor.scrollTop = Math.max(0, (line - 4) * height);
  }
});
