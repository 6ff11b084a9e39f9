//! A scoring model's report in Chinese (`model.*`): how `auto` chose the model, why each
//! candidate was or was not chosen, and why columns were left out. The English is
//! `sift_core::Message::english`; model kinds use the models page's names.

use sift_core::message::Message;

use super::arg;

/// A `model.*` code in Chinese, or `None` for one this version does not know.
pub(super) fn chinese(m: &Message) -> Option<String> {
    let a = |key: &str| m.args.get(key).map(arg).unwrap_or_default();
    let kind = |key: &str| m.text(key).and_then(kind);
    let text = match m.code.as_str() {
        "model.selection" => format!("各候选模型在相同的交叉验证折上比较 AUC。{}{}", a("choice"), a("calibration")),
        "model.choice.near_tie" => format!(
            "选择{}：它的交叉验证 AUC 为 {}，与最好的{}（{}）只差 {}，在 {} 的范围内，这么小的差距交叉验证分辨不出来；\
             成绩接近时选更简单的模型：{}。",
            kind("chosen")?,
            a("auc"),
            kind("best")?,
            a("best_auc"),
            a("difference"),
            a("margin"),
            described(m.text("chosen")?)?
        ),
        "model.choice.only" => format!(
            "选择{}：只有它能在这份数据上训练出来（交叉验证 AUC {}）；{}。",
            kind("chosen")?,
            a("auc"),
            described(m.text("chosen")?)?
        ),
        "model.choice.tie" => format!(
            "选择{}：它和{}的交叉验证 AUC 相同（{}），而且更简单：{}。",
            kind("chosen")?,
            kind("other")?,
            a("auc"),
            described(m.text("chosen")?)?
        ),
        "model.choice.simpler" => format!(
            "选择{}：它的交叉验证 AUC 最高，为 {}（{}为 {}），而且更简单：{}。",
            kind("chosen")?,
            a("auc"),
            kind("other")?,
            a("other_auc"),
            described(m.text("chosen")?)?
        ),
        "model.choice.beats" => format!(
            "选择{0}：它的交叉验证 AUC 为 {1}，比{2}的 {3} 高 {4}，超出了 {5} 的范围（在这个范围内会优先选更简单的{2}）；\
             它是{6}。",
            kind("chosen")?,
            a("auc"),
            kind("other")?,
            a("other_auc"),
            a("difference"),
            a("margin"),
            described(m.text("chosen")?)?
        ),
        "model.calibration.platt" => {
            "它的概率用 Platt 方法在交叉验证的预测上做过校准，所以 70 分大约表示这类线索有 70% 会转化。".to_owned()
        }
        "model.calibration.odoo" => "它的概率沿用 Odoo 自己的算法，没有重新校准（校准表能看出偏差有多大）。".to_owned(),
        "model.candidate.chosen" => "选中".to_owned(),
        "model.candidate.higher" => format!(
            "AUC 比{}高 {}，但在 {} 的范围内：优先选更简单的模型",
            kind("chosen")?,
            a("difference"),
            a("margin")
        ),
        "model.candidate.not_simpler" => {
            format!("和{}的差距在 {} 之内，但并不比它简单", kind("chosen")?, a("margin"))
        }
        "model.candidate.below" => format!("AUC 比{}低 {}", kind("chosen")?, a("difference")),
        "model.candidate.not_trained" => format!("没能训练：{}", a("why")),
        "model.candidate.not_candidate" => format!("不参与比较：{}", a("why")),
        "model.not_candidate.odoo_export" => "Odoo 线索导出文件只用 Odoo 朴素贝叶斯模型".to_owned(),
        "model.not_candidate.not_odoo" => "Odoo 的模型只用于 Odoo 数据：需要指定团队、阶段或标签字段\
                                           （--odoo-team、--odoo-stage、--odoo-tags），或者使用 Odoo 线索导出文件\
                                           （--odoo-export）"
            .to_owned(),
        "model.error.no_features" => "所有字段都被排除或舍弃了，没有可以学习的内容".to_owned(),
        "model.error.only_leaky" => format!(
            "剩下的字段都被结果泄露检查标记了（{}）：没有可靠的字段可学（加 --keep-leaky 仍可强行使用）",
            a("columns")
        ),
        "model.error.training" => format!("训练失败：{}", a("detail")),
        "model.date.range" => format!(
            "按日期读取，训练数据从 {} 到 {}；更晚的日期按 {} 计分，更早的按 {} 计分（不外推）",
            a("first"),
            a("last"),
            a("last"),
            a("first")
        ),
        "model.dropped.no_header" => "这一列没有列名".to_owned(),
        "model.dropped.identifier" => format!("像是标识列：{} 行里有 {} 个不同的值", a("rows"), a("distinct")),
        "model.dropped.not_odoo_field" => "不是 Odoo 线索评分使用的字段".to_owned(),
        "model.dropped.leaky" => format!("被结果泄露检查排除：{}（如需保留，使用 --keep-leaky）", a("reason")),
        "model.leakage.post_outcome" => "通常在结果出来之后才填写（销售备注、跟进后的字段）".to_owned(),
        "model.leakage.predicts" => {
            format!("单凭这一列几乎就能预测结果（AUC {}）：请确认它在结果出来之前就已知", a("auc"))
        }
        "model.leakage.stage" => {
            let what = if m.text("declared") == Some("yes") { "赢单阶段" } else { "赢单线索所在的阶段" };
            format!(
                "{what}：{} 条赢单线索中有 {} 条、{} 条输单线索中有 {} 条在这个阶段，已结束线索的阶段会泄露结果；\
                 它不算作阶段，处在这个阶段的线索和 Odoo 一样记 100 分",
                a("won"),
                a("won_in"),
                a("lost"),
                a("lost_in")
            )
        }
        _ => return None,
    };
    Some(text)
}

/// A model kind by the models page's name for it.
fn kind(name: &str) -> Option<&'static str> {
    Some(match name {
        "logistic" => "逻辑回归",
        "gbm" => "梯度提升",
        "odoo-nb" => "Odoo 朴素贝叶斯",
        _ => return None,
    })
}

/// What each model kind is, in Chinese.
fn described(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "logistic" => "线性模型，每个特征一个权重，因素可以直接从权重读出来",
        "odoo-nb" => "Odoo 自带的频次统计",
        "gbm" => "梯度提升树，能抓住线性模型看不到的交互作用和阈值",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::chinese;
    use super::*;

    /// Every code of a model's report in both languages, with its arguments.
    #[test]
    fn every_word_of_a_models_report_reads_in_both_languages() {
        let check = |m: Message, english: &str, zh: &str| {
            assert_eq!(m.english(), english, "{}", m.code);
            assert_eq!(chinese(&m).as_deref(), Some(zh), "{}", m.code);
        };
        let choice = |code: &str| Message::new(code).with("chosen", "logistic").with("auc", "0.8121");
        let platt = Message::new("model.calibration.platt");
        check(
            Message::new("model.selection")
                .with_message("choice", choice("model.choice.only"))
                .with_message("calibration", platt.clone()),
            "Candidates compared on AUC, cross-validated on the same folds. logistic is chosen: it is the only \
             candidate that could be trained on this data (cross-validated AUC 0.8121); a linear model: one weight \
             per feature, factors read straight off the weights. Its probabilities are Platt-scaled on its \
             out-of-fold predictions, so a score of 70 means about 70% of such leads convert.",
            "各候选模型在相同的交叉验证折上比较 AUC。选择逻辑回归：只有它能在这份数据上训练出来（交叉验证 AUC 0.8121）；\
             线性模型，每个特征一个权重，因素可以直接从权重读出来。它的概率用 Platt 方法在交叉验证的预测上做过校准，\
             所以 70 分大约表示这类线索有 70% 会转化。",
        );
        check(
            choice("model.choice.near_tie")
                .with("margin", "0.002")
                .with("best", "gbm")
                .with("best_auc", "0.8135")
                .with("difference", "0.0014"),
            "logistic is chosen: its cross-validated AUC, 0.8121, is within 0.002 of the best, gbm's 0.8135 (a \
             difference of 0.0014, too small for the folds to tell apart), and a near-tie goes to the simpler model: \
             a linear model: one weight per feature, factors read straight off the weights.",
            "选择逻辑回归：它的交叉验证 AUC 为 0.8121，与最好的梯度提升（0.8135）只差 0.0014，在 0.002 的范围内，\
             这么小的差距交叉验证分辨不出来；成绩接近时选更简单的模型：线性模型，每个特征一个权重，因素可以直接从权重读出来。",
        );
        check(
            choice("model.choice.tie").with("other", "gbm"),
            "logistic is chosen: it ties with gbm on cross-validated AUC (0.8121) and is the simpler model: a linear \
             model: one weight per feature, factors read straight off the weights.",
            "选择逻辑回归：它和梯度提升的交叉验证 AUC 相同（0.8121），而且更简单：线性模型，每个特征一个权重，\
             因素可以直接从权重读出来。",
        );
        check(
            choice("model.choice.simpler").with("other", "gbm").with("other_auc", "0.8120"),
            "logistic is chosen: it has the highest cross-validated AUC, 0.8121 against 0.8120 for gbm, and is the \
             simpler model: a linear model: one weight per feature, factors read straight off the weights.",
            "选择逻辑回归：它的交叉验证 AUC 最高，为 0.8121（梯度提升为 0.8120），而且更简单：线性模型，\
             每个特征一个权重，因素可以直接从权重读出来。",
        );
        check(
            Message::new("model.choice.beats")
                .with("chosen", "gbm")
                .with("auc", "0.9110")
                .with("other", "logistic")
                .with("other_auc", "0.8897")
                .with("difference", "0.0213")
                .with("margin", "0.002"),
            "gbm is chosen: its cross-validated AUC, 0.9110, beats logistic's 0.8897 by 0.0213, more than the 0.002 \
             margin within which the simpler logistic would have been preferred; it is boosted trees, which catch \
             interactions and thresholds a linear model misses.",
            "选择梯度提升：它的交叉验证 AUC 为 0.9110，比逻辑回归的 0.8897 高 0.0213，超出了 0.002 的范围\
             （在这个范围内会优先选更简单的逻辑回归）；它是梯度提升树，能抓住线性模型看不到的交互作用和阈值。",
        );
        check(
            Message::new("model.calibration.odoo"),
            "Its probability is Odoo's own and is not recalibrated (the calibration table shows how far off it is).",
            "它的概率沿用 Odoo 自己的算法，没有重新校准（校准表能看出偏差有多大）。",
        );
        check(Message::new("model.candidate.chosen"), "chosen", "选中");
        let against = |code: &str| Message::new(code).with("chosen", "logistic");
        check(
            against("model.candidate.higher").with("difference", "0.0014").with("margin", "0.002"),
            "AUC 0.0014 higher than logistic, within the 0.002 margin: the simpler model is preferred",
            "AUC 比逻辑回归高 0.0014，但在 0.002 的范围内：优先选更简单的模型",
        );
        check(
            against("model.candidate.not_simpler").with("margin", "0.002"),
            "within the 0.002 margin of logistic but not simpler",
            "和逻辑回归的差距在 0.002 之内，但并不比它简单",
        );
        check(
            against("model.candidate.below").with("difference", "0.0213"),
            "AUC 0.0213 below logistic",
            "AUC 比逻辑回归低 0.0213",
        );
        check(
            Message::new("model.candidate.not_trained").with_message("why", Message::new("model.error.no_features")),
            "not trained: every column was excluded or dropped: nothing left to learn from",
            "没能训练：所有字段都被排除或舍弃了，没有可以学习的内容",
        );
        check(
            Message::new("model.candidate.not_trained")
                .with_message("why", Message::new("model.error.only_leaky").with("columns", "`Tags`")),
            "not trained: every column left is flagged by the leakage guard (`Tags`): nothing honest to learn from \
             (--keep-leaky learns from them anyway)",
            "没能训练：剩下的字段都被结果泄露检查标记了（`Tags`）：没有可靠的字段可学（加 --keep-leaky 仍可强行使用）",
        );
        check(
            Message::new("model.candidate.not_trained")
                .with_message("why", Message::new("model.error.training").with("detail", "singular matrix")),
            "not trained: training failed: singular matrix",
            "没能训练：训练失败：singular matrix",
        );
        check(
            Message::new("model.candidate.not_candidate")
                .with_message("why", Message::new("model.not_candidate.odoo_export")),
            "not a candidate: an Odoo lead export is read by odoo-nb only",
            "不参与比较：Odoo 线索导出文件只用 Odoo 朴素贝叶斯模型",
        );
        check(
            Message::new("model.candidate.not_candidate")
                .with_message("why", Message::new("model.not_candidate.not_odoo")),
            "not a candidate: Odoo's model is for Odoo data: give its team, stage or tag column (--odoo-team, \
             --odoo-stage, --odoo-tags) or an Odoo lead export (--odoo-export)",
            "不参与比较：Odoo 的模型只用于 Odoo 数据：需要指定团队、阶段或标签字段（--odoo-team、--odoo-stage、\
             --odoo-tags），或者使用 Odoo 线索导出文件（--odoo-export）",
        );
        check(
            Message::new("model.date.range").with("first", "2016-10-20").with("last", "2017-12-27"),
            "read as dates from 2016-10-20 to 2017-12-27; a later date scores as 2017-12-27 does, an earlier one as \
             2016-10-20 (not extrapolated)",
            "按日期读取，训练数据从 2016-10-20 到 2017-12-27；更晚的日期按 2017-12-27 计分，更早的按 2016-10-20 计分（不外推）",
        );
        check(Message::new("model.dropped.no_header"), "column without a header", "这一列没有列名");
        check(
            Message::new("model.dropped.identifier").with("distinct", "9,240").with("rows", "9240"),
            "identifier-like: 9,240 distinct values in 9240 rows",
            "像是标识列：9240 行里有 9,240 个不同的值",
        );
        check(
            Message::new("model.dropped.not_odoo_field"),
            "not one of Odoo's lead scoring fields",
            "不是 Odoo 线索评分使用的字段",
        );
        let leaky = |reason: Message| Message::new("model.dropped.leaky").with_message("reason", reason);
        check(
            leaky(Message::new("model.leakage.post_outcome")),
            "left out by the leakage guard: usually filled in after the outcome is known (sales notes, post-contact \
             fields) (keep it with --keep-leaky)",
            "被结果泄露检查排除：通常在结果出来之后才填写（销售备注、跟进后的字段）（如需保留，使用 --keep-leaky）",
        );
        check(
            leaky(Message::new("model.leakage.predicts").with("auc", "0.981")),
            "left out by the leakage guard: predicts the label almost perfectly on its own (AUC 0.981): check it is \
             known before the outcome (keep it with --keep-leaky)",
            "被结果泄露检查排除：单凭这一列几乎就能预测结果（AUC 0.981）：请确认它在结果出来之前就已知（如需保留，使用 --keep-leaky）",
        );
        check(
            Message::new("model.leakage.stage")
                .with("declared", "yes")
                .with("won_in", "40")
                .with("won", "40")
                .with("lost_in", "0")
                .with("lost", "60"),
            "the won stage: it holds 40 of 40 won leads and 0 of 60 lost leads, so a closed lead's stage gives its \
             outcome away; it is not counted as a stage, and a lead in it scores 100 as in Odoo",
            "赢单阶段：40 条赢单线索中有 40 条、60 条输单线索中有 0 条在这个阶段，已结束线索的阶段会泄露结果；\
             它不算作阶段，处在这个阶段的线索和 Odoo 一样记 100 分",
        );
    }
}
