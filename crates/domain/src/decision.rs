//! People's decisions on claims: who may decide what, and what a decision needs. A
//! machine only routes; approve, reject, request better evidence and escalate are a
//! person's, each with a reason in their own words. Rejecting is for the fraud team
//! and supervisors only.

use proofdesk_engine::signal::Text;
use serde::{Deserialize, Serialize};

/// What a person may do in the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Handles claims within their queue.
    Agent,
    /// Works the escalated claims; may reject.
    FraudAnalyst,
    /// Oversees agents and analysts; may reject; sees the overview and audit trail.
    Supervisor,
    /// Manages users; sees the overview and audit trail.
    Administrator,
    /// Keeps the AI register and reads the AI Act documentation, oversight and
    /// fairness reports; opens and decides no claims.
    ComplianceOfficer,
}

impl Role {
    /// Every role, least powerful first.
    pub const ALL: [Role; 5] = [
        Role::Agent,
        Role::FraudAnalyst,
        Role::Supervisor,
        Role::Administrator,
        Role::ComplianceOfficer,
    ];

    /// The stored name (`agent`, `fraud_analyst`, `supervisor`, `administrator`, `compliance_officer`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::FraudAnalyst => "fraud_analyst",
            Role::Supervisor => "supervisor",
            Role::Administrator => "administrator",
            Role::ComplianceOfficer => "compliance_officer",
        }
    }

    /// The role a stored or typed name stands for (`fraud-analyst` is accepted too).
    pub fn parse(name: &str) -> Option<Role> {
        let name = name.trim().to_ascii_lowercase().replace('-', "_");
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// The role's name for a person.
    pub fn title(self) -> Text {
        match self {
            Role::Agent => Text::new("agent", "medewerker"),
            Role::FraudAnalyst => Text::new("fraud analyst", "fraudeanalist"),
            Role::Supervisor => Text::new("supervisor", "teamleider"),
            Role::Administrator => Text::new("administrator", "beheerder"),
            Role::ComplianceOfficer => Text::new("compliance officer", "compliance officer"),
        }
    }

    /// Whether the role may reject a claim.
    pub fn may_reject(self) -> bool {
        matches!(self, Role::FraudAnalyst | Role::Supervisor)
    }

    /// Whether the role may open exact positions and original files (with their
    /// metadata): the fraud team and supervisors; an agent sees positions coarsened.
    pub fn sees_exact_positions(self) -> bool {
        matches!(self, Role::FraudAnalyst | Role::Supervisor | Role::Administrator)
    }

    /// Whether the role works claims (opens, decides, submits them): all but the
    /// compliance officer, who sees figures, not customers.
    pub fn handles_claims(self) -> bool {
        self != Role::ComplianceOfficer
    }

    /// Whether the role keeps the AI register and reads the compliance reports.
    pub fn sees_compliance(self) -> bool {
        matches!(self, Role::ComplianceOfficer | Role::Administrator)
    }

    /// Whether the role sees the overview and the whole audit trail.
    pub fn oversees(self) -> bool {
        matches!(self, Role::Supervisor | Role::Administrator)
    }
}

/// What a person decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// Pay or grant the claim.
    Approve,
    /// Turn the claim down (fraud analyst or supervisor only).
    Reject,
    /// Ask the customer for the original file or a new photo.
    RequestEvidence,
    /// Hand the claim to the fraud team.
    Escalate,
}

impl DecisionKind {
    /// Every kind, in the order the workspace offers them.
    pub const ALL: [DecisionKind; 4] = [
        DecisionKind::Approve,
        DecisionKind::RequestEvidence,
        DecisionKind::Escalate,
        DecisionKind::Reject,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Approve => "approve",
            DecisionKind::Reject => "reject",
            DecisionKind::RequestEvidence => "request_evidence",
            DecisionKind::Escalate => "escalate",
        }
    }

    /// The kind a stored name stands for.
    pub fn parse(name: &str) -> Option<DecisionKind> {
        DecisionKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The decision's name for a person.
    pub fn title(self) -> Text {
        match self {
            DecisionKind::Approve => Text::new("approve", "goedkeuren"),
            DecisionKind::Reject => Text::new("reject", "afwijzen"),
            DecisionKind::RequestEvidence => {
                Text::new("request better evidence", "om beter bewijs vragen")
            }
            DecisionKind::Escalate => Text::new("escalate to the fraud team", "doorzetten naar het fraudeteam"),
        }
    }

    /// What the claim's state is after it, for lists ("approved").
    pub fn outcome(self) -> Text {
        match self {
            DecisionKind::Approve => Text::new("approved", "goedgekeurd"),
            DecisionKind::Reject => Text::new("rejected", "afgewezen"),
            DecisionKind::RequestEvidence => Text::new("evidence requested", "bewijs gevraagd"),
            DecisionKind::Escalate => Text::new("escalated", "doorgezet"),
        }
    }

    /// Whether the decision closes the claim (no further decisions).
    pub fn is_final(self) -> bool {
        matches!(self, DecisionKind::Approve | DecisionKind::Reject)
    }
}

/// Fewest letters a reason must have: a person's words, not a click.
pub const MIN_REASON_LETTERS: usize = 10;
/// Longest reason kept, in characters.
pub const MAX_REASON_CHARS: usize = 2000;

/// Why a decision cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The role decides no claims.
    #[error("a compliance officer does not decide claims")]
    RoleDecidesNoClaims,
    /// The role may not make this decision.
    #[error("only a fraud analyst or a supervisor may reject a claim")]
    RoleMayNotReject,
    /// No reason, or too short to be one.
    #[error("write the reason in your own words (at least {MIN_REASON_LETTERS} letters)")]
    ReasonMissing,
    /// The reason is longer than is kept.
    #[error("the reason is longer than {MAX_REASON_CHARS} characters")]
    ReasonTooLong,
    /// The claim has not been screened yet.
    #[error("the claim is still being screened; decide once its signals are in")]
    NotScreened,
    /// The claim was approved or rejected already.
    #[error("the claim was already decided ({0}); a decision cannot be changed here")]
    AlreadyDecided(String),
}

impl Refusal {
    /// The refusal in both languages, for the workspace.
    pub fn text(&self) -> Text {
        match self {
            Refusal::RoleDecidesNoClaims => Text::new(self.to_string(), "een compliance officer beslist niet over claims"),
            Refusal::RoleMayNotReject => Text::new(
                self.to_string(),
                "alleen een fraudeanalist of een teamleider mag een claim afwijzen",
            ),
            Refusal::ReasonMissing => Text::new(
                self.to_string(),
                format!("schrijf de reden in uw eigen woorden (minstens {MIN_REASON_LETTERS} letters)"),
            ),
            Refusal::ReasonTooLong => Text::new(
                self.to_string(),
                format!("de reden is langer dan {MAX_REASON_CHARS} tekens"),
            ),
            Refusal::NotScreened => Text::new(
                self.to_string(),
                "de claim wordt nog gecontroleerd; beslis zodra de signalen er zijn",
            ),
            Refusal::AlreadyDecided(k) => Text::new(
                self.to_string(),
                format!("over deze claim is al beslist ({k}); een beslissing kan hier niet worden gewijzigd"),
            ),
        }
    }
}

/// Checks a decision before it is recorded: the person's role, their reason, and the
/// claim's state (`status` as stored; `latest`, the claim's latest decision, if any).
/// Returns the reason, trimmed.
pub fn check(
    role: Role,
    kind: DecisionKind,
    reason: &str,
    status: &str,
    latest: Option<DecisionKind>,
) -> Result<String, Refusal> {
    if !role.handles_claims() {
        return Err(Refusal::RoleDecidesNoClaims);
    }
    if kind == DecisionKind::Reject && !role.may_reject() {
        return Err(Refusal::RoleMayNotReject);
    }
    let reason = reason.trim();
    if reason.chars().filter(|c| c.is_alphabetic()).count() < MIN_REASON_LETTERS {
        return Err(Refusal::ReasonMissing);
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(Refusal::ReasonTooLong);
    }
    if !matches!(status, "screened" | "failed") {
        return Err(Refusal::NotScreened);
    }
    if let Some(done) = latest.filter(|k| k.is_final()) {
        return Err(Refusal::AlreadyDecided(done.as_str().to_owned()));
    }
    Ok(reason.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_fraud_analysts_and_supervisors_reject() {
        let reason = "the receipt total does not match the order";
        for role in Role::ALL {
            let r = check(role, DecisionKind::Reject, reason, "screened", None);
            assert_eq!(r.is_ok(), role.may_reject(), "{role:?}");
            let approve = check(role, DecisionKind::Approve, reason, "screened", None);
            assert_eq!(approve.is_ok(), role.handles_claims(), "{role:?}");
        }
        assert_eq!(
            check(Role::Agent, DecisionKind::Reject, reason, "screened", None),
            Err(Refusal::RoleMayNotReject)
        );
        assert!(check(Role::Agent, DecisionKind::Approve, reason, "screened", None).is_ok());
    }

    #[test]
    fn a_decision_needs_a_reason_in_words() {
        for empty in ["", "   ", "ok", "1234567890 !!!", "approve"] {
            assert_eq!(
                check(Role::Supervisor, DecisionKind::Approve, empty, "screened", None),
                Err(Refusal::ReasonMissing),
                "{empty:?}"
            );
        }
        let long = "a".repeat(MAX_REASON_CHARS + 1);
        assert_eq!(
            check(Role::Supervisor, DecisionKind::Approve, &long, "screened", None),
            Err(Refusal::ReasonTooLong)
        );
        assert_eq!(
            check(Role::Agent, DecisionKind::Approve, "  foto klopt met de bestelling  ", "screened", None),
            Ok("foto klopt met de bestelling".into())
        );
    }

    #[test]
    fn a_claim_is_decided_once_screened_and_only_once() {
        let reason = "photo matches the order and the date";
        assert_eq!(
            check(Role::Agent, DecisionKind::Approve, reason, "screening", None),
            Err(Refusal::NotScreened)
        );
        assert!(check(Role::Agent, DecisionKind::Escalate, reason, "failed", None).is_ok());
        assert!(check(
            Role::Agent,
            DecisionKind::Approve,
            reason,
            "screened",
            Some(DecisionKind::RequestEvidence)
        )
        .is_ok());
        assert_eq!(
            check(Role::Supervisor, DecisionKind::Reject, reason, "screened", Some(DecisionKind::Approve)),
            Err(Refusal::AlreadyDecided("approve".into()))
        );
    }

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("Fraud-Analyst"), Some(Role::FraudAnalyst));
        assert_eq!(Role::parse("root"), None);
        for k in DecisionKind::ALL {
            assert_eq!(DecisionKind::parse(k.as_str()), Some(k));
        }
    }
}
