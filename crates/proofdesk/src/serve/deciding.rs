//! Recording a person's decision, the same for the web workspace and the API: the
//! domain's rules (role, reason, claim state, own claim, a declared relation with the
//! customer, authority and four eyes),
//! then one transaction with the audit entry. Refusals are audited too.

use super::App;
use proofdesk_domain::authority::{self, Approval, ApprovalOutcome, ApprovalRefused, Authority, LimitScope, Money};
use proofdesk_domain::decision::{self, DecisionKind, Refusal, Role};
use proofdesk_engine::signal::Text;
use proofdesk_storage::decisions::{NewDecision, Outcome};
use proofdesk_storage::teams::Scope;
use proofdesk_storage::users::{Limit, User};

/// How an approval above its approver's authority is stored until a second person completes it.
pub const PENDING: &str = "approve_pending";

/// A decision asked for.
pub struct Request<'a> {
    /// Who decides.
    pub user: &'a User,
    /// Their role.
    pub role: Role,
    /// Which claims they may see.
    pub scope: &'a Scope,
    /// Which claim.
    pub claim_id: &'a str,
    /// What (`approve`, `reject`, `request_evidence`, `escalate`).
    pub kind: &'a str,
    /// Why, in their words.
    pub reason: &'a str,
    /// For approvals: the amount, as typed (`129.95`), and its currency.
    pub amount: Option<(&'a str, &'a str)>,
    /// For approvals: the account paid out to, as typed (kept only as a pseudonym).
    pub payout_ref: Option<&'a str>,
}

/// What became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decided {
    /// The claim is decided (or its request or escalation recorded).
    Recorded,
    /// Approved above authority: the claim awaits a second approval.
    AwaitingSecond,
}

/// Why it was not recorded.
#[derive(Debug)]
pub enum Refused {
    /// No such claim.
    NotFound,
    /// Not a decision, or a bad amount (422).
    Invalid(Text),
    /// The rules forbid it for this person (403): role, own claim, authority.
    Forbidden(Text),
    /// The claim's state does not allow it (409): not screened, already closed, or
    /// someone else decided first.
    Conflict(Text),
    /// Storage failed (503).
    Unavailable(String),
}

/// Applies the rules and records the decision.
pub async fn decide(app: &App, r: &Request<'_>) -> Result<Decided, Refused> {
    let unavailable = |e: proofdesk_storage::Error| Refused::Unavailable(e.to_string());
    let claim = app
        .claims
        .get(r.claim_id)
        .await
        .map_err(unavailable)?
        .filter(|c| r.scope.allows(c.client.as_deref()))
        .ok_or(Refused::NotFound)?;
    let actor = format!("user:{}", r.user.id);
    let refuse_audited = |why: String| async move {
        let _ = app.record(&actor, "claim.decide-refused", Some(r.claim_id), &why).await;
    };
    let Some(kind) = DecisionKind::parse(r.kind) else {
        return Err(Refused::Invalid(Text::new(
            "choose approve, reject, request_evidence or escalate",
            "kies goedkeuren, afwijzen, om beter bewijs vragen of doorzetten",
        )));
    };
    let latest = claim.decision.as_deref().and_then(DecisionKind::parse);
    let reason = match decision::check(r.role, kind, r.reason, &claim.status, latest) {
        Ok(reason) => reason,
        Err(refusal) => {
            return Err(match refusal {
                Refusal::RoleMayNotReject | Refusal::RoleDecidesNoClaims => {
                    refuse_audited(format!("{} refused for role {}", kind.as_str(), r.role.as_str())).await;
                    Refused::Forbidden(refusal.text())
                }
                Refusal::ReasonMissing | Refusal::ReasonTooLong => Refused::Invalid(refusal.text()),
                Refusal::NotScreened | Refusal::AlreadyDecided(_) => Refused::Conflict(refusal.text()),
            })
        }
    };
    if claim.submitted_by.as_deref() == Some(format!("user:{}", r.user.id).as_str()) {
        refuse_audited("own claim".into()).await;
        return Err(Refused::Forbidden(ApprovalRefused::OwnClaim.text()));
    }
    if app.users.is_related(&r.user.id, &claim.customer_id).await.map_err(unavailable)? {
        refuse_audited("related customer".into()).await;
        return Err(Refused::Forbidden(ApprovalRefused::RelatedCustomer.text()));
    }
    let mut stored = kind.as_str();
    let mut amount = None;
    let mut limit_minor = None;
    let mut payout = None;
    if kind == DecisionKind::Approve {
        let (value, currency) = r.amount.unwrap_or(("", ""));
        let money = Money::parse(&format!("{} {}", value.trim(), currency.trim())).map_err(|why| {
            Refused::Invalid(Text::new(
                format!("the amount cannot be used: {why}"),
                format!("het bedrag is niet bruikbaar: {why}"),
            ))
        })?;
        if let Some(raw) = r.payout_ref.map(str::trim).filter(|p| !p.is_empty()) {
            let account = authority::payout_account(raw).map_err(|why| {
                Refused::Invalid(Text::new(why, "een uitbetalingsreferentie is 4 tot 34 letters en cijfers (een IBAN of de referentie van het betaalsysteem)"))
            })?;
            let tail = &account[account.len() - 4..];
            payout = Some(format!("…{tail} #{}", app.store.pseudonym("payout", &account)));
        }
        let (limits, history) = tokio::try_join!(app.users.authority(&r.user.id), app.decisions.of_claim(r.claim_id))
            .map_err(unavailable)?;
        let pending = history
            .last()
            .filter(|d| d.kind == PENDING && claim.decision.as_deref() == Some(PENDING));
        let first_amount = pending.and_then(|d| d.amount.clone()).map(|(minor, currency)| Money { minor, currency });
        let (channel, claim_type) = channel_and_type(&claim.context_json);
        let mine = authority_of(&limits).for_claim(channel.as_deref(), claim_type.as_deref());
        limit_minor = Some(mine.limits.get(&money.currency).copied().unwrap_or(0));
        let approval = Approval {
            user_id: &r.user.id,
            authority: &mine,
            amount: &money,
            submitted_by: claim.submitted_by.as_deref(),
            first_approver: pending.map(|d| d.user_id.as_str()),
            first_amount: first_amount.as_ref(),
        };
        match authority::approve(&approval) {
            Ok(ApprovalOutcome::Decided) => {}
            Ok(ApprovalOutcome::AwaitingSecond) => stored = PENDING,
            Err(refusal) => {
                refuse_audited(format!("approval refused: {refusal}")).await;
                return Err(Refused::Forbidden(refusal.text()));
            }
        }
        amount = Some(money);
    }
    let new = NewDecision {
        claim_id: r.claim_id,
        kind: stored,
        reason: &reason,
        user_id: &r.user.id,
        band: claim.band.as_deref(),
        amount: amount.as_ref().map(|m| (m.minor, m.currency.as_str())),
        limit_minor,
        payout_ref: payout.as_deref(),
        outside_queue: claim.assigned_to.as_deref().is_some_and(|a| a != r.user.id),
    };
    let outcome = app.decisions.record(&new).await.map_err(unavailable)?;
    if let Outcome::Recorded(_) = outcome {
        if let Err(e) = super::insider::refresh(app).await {
            log!("proofdesk: the insider rules could not run after a decision on {}: {e}", r.claim_id);
        }
    }
    match outcome {
        Outcome::Recorded(_) if stored == PENDING => Ok(Decided::AwaitingSecond),
        Outcome::Recorded(_) => Ok(Decided::Recorded),
        Outcome::AlreadyFinal => Err(Refused::Conflict(Refusal::AlreadyDecided("—".into()).text())),
    }
}

/// A person's stored limits as the domain's authority.
pub fn authority_of(limits: &[Limit]) -> Authority {
    let mut a = Authority::default();
    for l in limits {
        if l.scope.is_empty() {
            a.limits.insert(l.currency.clone(), l.max_minor);
        } else if let Some(scope) = LimitScope::parse(&l.scope) {
            a.scoped.insert((scope, l.currency.clone()), l.max_minor);
        }
    }
    a
}

/// The channel and claim type in a claim's context JSON.
pub fn channel_and_type(context_json: &str) -> (Option<String>, Option<String>) {
    let v: serde_json::Value = serde_json::from_str(context_json).unwrap_or_default();
    let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
    (text("channel"), text("claim_type"))
}
