//! End-to-end tests: the `proofdesk` binary on crafted files and on the shared corpus.

mod browser;
mod cli;
mod compliance;
mod corpus;
mod customer_browser;
mod detector;
mod evasion;
mod evidence_requests;
mod insider;
mod outage;
mod privacy;
mod receipts;
mod reuse;
mod server;
mod service;
mod util;
mod webdriver;
mod workspace;
