//! Each co-facilitator's ledger: which reports (and, for the helper, which roster keys) it
//! has aggregated, so none is aggregated twice.
//!
//! This is the DAP rule that stops differencing: a summary with and without one member
//! would need the same reports in two batches, and both co-facilitators refuse that. A
//! report is written into the ledger when it is first put into a batch, whether or not the
//! batch goes through, so a batch that was refused cannot be offered again in parts.

use serde::{Deserialize, Serialize};

use crate::ProtocolError;
use crate::files::{Role, check_size, parse_versioned};

/// The `format` of a ledger.
pub const LEDGER_FORMAT: &str = "tend-retreat-ledger";
/// The largest ledger read.
pub const MAX_LEDGER_BYTES: usize = 64 * 1024 * 1024;

/// One batch, as a ledger remembers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerBatch {
    /// The batch id.
    pub batch: String,
    /// The reports' nonces (hex).
    pub reports: Vec<String>,
    /// The roster keys whose reports it held (the helper's ledger only).
    pub signers: Vec<String>,
}

/// A co-facilitator's ledger for one plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ledger {
    /// [`LEDGER_FORMAT`].
    pub format: String,
    /// 1.
    pub version: u32,
    /// Whose ledger.
    pub role: Role,
    /// The plan's fingerprint.
    pub plan: String,
    /// Every batch so far.
    pub batches: Vec<LedgerBatch>,
}

impl Ledger {
    /// An empty ledger.
    pub fn new(role: Role, plan: &str) -> Self {
        Ledger {
            format: LEDGER_FORMAT.into(),
            version: 1,
            role,
            plan: plan.into(),
            batches: Vec::new(),
        }
    }

    /// Reads a ledger, and checks it belongs to this role and plan.
    pub fn parse(bytes: &[u8], role: Role, plan: &str) -> Result<Self, ProtocolError> {
        check_size(bytes, MAX_LEDGER_BYTES)?;
        let ledger: Ledger = parse_versioned(bytes, LEDGER_FORMAT, "retreat ledger", 1)?;
        if ledger.role != role || ledger.plan != plan {
            return Err(ProtocolError::Mismatch {
                kind: "ledger",
                what: "plan or role",
            });
        }
        Ok(ledger)
    }

    /// The ledger as JSON.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// The earlier batch that holds this report, if any.
    pub fn batch_of_report(&self, nonce_hex: &str) -> Option<&str> {
        self.batches
            .iter()
            .find(|b| b.reports.iter().any(|r| r == nonce_hex))
            .map(|b| b.batch.as_str())
    }

    /// The earlier batch that holds a report from this roster key, if any.
    pub fn batch_of_signer(&self, signer: &str) -> Option<&str> {
        self.batches
            .iter()
            .find(|b| b.signers.iter().any(|s| s == signer))
            .map(|b| b.batch.as_str())
    }

    /// Whether a batch with this id was recorded.
    pub fn has_batch(&self, batch: &str) -> bool {
        self.batches.iter().any(|b| b.batch == batch)
    }

    /// Refuses reports already aggregated; otherwise records the batch.
    pub fn record(
        &mut self,
        batch: &str,
        reports: Vec<String>,
        signers: Vec<String>,
    ) -> Result<(), ProtocolError> {
        let mut earlier = reports.iter().filter_map(|r| self.batch_of_report(r));
        if let Some(first) = earlier.next() {
            let first = first.to_owned();
            let count = 1 + earlier.count();
            return Err(ProtocolError::AlreadyAggregated {
                count,
                batch: short(&first),
            });
        }
        let mut unique = reports.clone();
        unique.sort();
        unique.dedup();
        if self.has_batch(batch) {
            return Err(ProtocolError::AlreadyAggregated {
                count: reports.len(),
                batch: short(batch),
            });
        }
        if unique.len() != reports.len() {
            return Err(ProtocolError::AlreadyAggregated {
                count: reports.len() - unique.len(),
                batch: short(batch),
            });
        }
        self.batches.push(LedgerBatch {
            batch: batch.into(),
            reports,
            signers,
        });
        Ok(())
    }
}

/// The first eight hex digits of a batch id: enough for a person to tell batches apart.
pub fn short(batch: &str) -> String {
    batch.chars().take(8).collect()
}
