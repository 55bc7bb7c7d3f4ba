//! Scores: the severity-weighted share of judged (rule, resource) pairs that pass.

use super::{Pillar, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What one rule judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleTally {
    pub rule_id: String,
    pub pillar: Pillar,
    pub severity: Severity,
    /// Resources the rule judged (pass, fail, suppressed or not assessed).
    pub applicable: usize,
    pub failed: usize,
    pub suppressed: usize,
    pub not_assessed: usize,
}

impl RuleTally {
    /// Pairs that were judged and pass.
    pub fn passed(&self) -> usize {
        self.applicable
            .saturating_sub(self.failed + self.suppressed + self.not_assessed)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PillarScore {
    /// 0–100, one decimal; 100 when nothing was judged.
    pub score: f64,
    /// Share (0–100) of the pairs that could be judged at all; below 100 when gaps left
    /// some resources not assessed.
    pub coverage: f64,
    pub passed: usize,
    pub failed: usize,
    pub suppressed: usize,
    pub not_assessed: usize,
    pub rules: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scores {
    pub overall: f64,
    pub pillars: BTreeMap<Pillar, PillarScore>,
}

/// Passing pairs count their severity weight; failing pairs count against it. Suppressed
/// (accepted) and not-assessed (unknown) pairs are left out of the ratio and reported
/// beside it, so an unreadable account never scores as a clean one.
pub fn compute_scores(tallies: &[RuleTally]) -> Scores {
    let mut pillars = BTreeMap::new();
    let (mut all_pass, mut all_judged) = (0.0, 0.0);
    for pillar in Pillar::ALL {
        let (mut pass_w, mut judged_w) = (0.0, 0.0);
        let mut s = PillarScore {
            score: 100.0,
            coverage: 100.0,
            passed: 0,
            failed: 0,
            suppressed: 0,
            not_assessed: 0,
            rules: 0,
        };
        for t in tallies.iter().filter(|t| t.pillar == pillar) {
            let w = t.severity.weight();
            pass_w += w * t.passed() as f64;
            judged_w += w * (t.passed() + t.failed) as f64;
            s.passed += t.passed();
            s.failed += t.failed;
            s.suppressed += t.suppressed;
            s.not_assessed += t.not_assessed;
            s.rules += 1;
        }
        s.score = ratio(pass_w, judged_w);
        let assessed = s.passed + s.failed + s.suppressed;
        s.coverage = ratio(assessed as f64, (assessed + s.not_assessed) as f64);
        all_pass += pass_w;
        all_judged += judged_w;
        pillars.insert(pillar, s);
    }
    Scores {
        overall: ratio(all_pass, all_judged),
        pillars,
    }
}

fn ratio(pass: f64, judged: f64) -> f64 {
    if judged <= 0.0 {
        100.0
    } else {
        (1000.0 * pass / judged).round() / 10.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(pillar: Pillar, severity: Severity, applicable: usize, failed: usize) -> RuleTally {
        RuleTally {
            rule_id: "X".into(),
            pillar,
            severity,
            applicable,
            failed,
            suppressed: 0,
            not_assessed: 0,
        }
    }

    #[test]
    fn weights_by_severity() {
        let s = compute_scores(&[
            tally(Pillar::LeastPrivilege, Severity::Critical, 2, 1),
            tally(Pillar::LeastPrivilege, Severity::Low, 4, 0),
        ]);
        // pass = 10*1 + 1*4 = 14, judged = 10*2 + 1*4 = 24
        assert_eq!(s.pillars[&Pillar::LeastPrivilege].score, 58.3);
        assert_eq!(s.pillars[&Pillar::Encryption].score, 100.0);
        assert_eq!(s.overall, 58.3);
    }

    #[test]
    fn not_assessed_is_neither_pass_nor_fail() {
        let mut t = tally(Pillar::Encryption, Severity::High, 3, 0);
        t.not_assessed = 3;
        let s = compute_scores(&[t]);
        let p = &s.pillars[&Pillar::Encryption];
        assert_eq!(
            (p.passed, p.not_assessed, p.score, p.coverage),
            (0, 3, 100.0, 0.0)
        );
    }
}
