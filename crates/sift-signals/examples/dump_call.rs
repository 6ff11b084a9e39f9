//! Development aid: prints the facts, conflicts and concept evidence of one transcript.
//! usage: cargo run -q -p sift-signals --example dump_call -- FILE REP AS_OF
use sift_signals::evidence::analyse_call;
use sift_signals::transcript::{choose_reps, into_transcript, parse_transcript};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).expect("read");
    let raw = parse_transcript(&text).expect("parse");
    let reps = choose_reps(&raw, &[args[2].clone()]).expect("reps");
    let t = into_transcript(raw, &reps, None);
    let as_of = chrono::NaiveDate::parse_from_str(&args[3], "%Y-%m-%d").expect("date");
    let call = analyse_call(&t, as_of);
    for turn in &t.turns {
        println!("TURN t{} {}: {}", turn.index, turn.speaker, turn.text);
    }
    for f in &call.facts {
        println!("FACT t{} {:?} {:?} hedged={} {:?}", f.span.turn, f.role, f.fact, f.hedged, t.quote(f.span));
    }
    for c in &call.conflicts {
        println!("CONFLICT {} {:?} t{} -> t{}: {}", c.subject, c.concept, c.earlier.turn, c.later.turn, c.explanation);
    }
    for s in sift_signals::fact_signals::fact_signals(&t, &call) {
        println!("SIGNAL t{} {:?} {:?}: {}", s.turn, s.kind, s.quote, s.explanation);
    }
    for c in &call.concepts {
        println!("CONCEPT {:?}", c);
    }
}
