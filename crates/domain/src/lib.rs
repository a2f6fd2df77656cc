//! proofdesk's domain layer: plain logic, no I/O. A claim's context as a customer
//! contact system sends it ([`claim`]), and how screened evidence is scored and routed
//! to a band a person acts on ([`routing`]), what people may decide on it
//! ([`decision`]), what the customer is told ([`message`]) and what an integration
//! receives ([`disclosure`]), and how the organisation shows it is in control: the AI
//! register ([`ai_register`]), fairness monitoring ([`fairness`]), human oversight
//! ([`oversight`]) and the notices customers read ([`transparency`]). A machine never rejects a claim: the worst band is
//! "escalate", which means a person must look.

pub mod ai_register;
pub mod assurance;
pub mod authority;
pub mod claim;
pub mod context;
pub mod decision;
pub mod disclosure;
pub mod evidence_request;
pub mod fairness;
pub mod insider;
pub mod message;
pub mod oversight;
pub mod personal_data;
pub mod receipt_context;
pub mod retention;
pub mod routing;
pub mod stats;
pub mod transparency;
