//! What the co-facilitated commands share: reading the plan, opening and sealing the files
//! that pass between the parties, and keeping each co-facilitator's ledger.

use std::path::Path;

use age::x25519::{Identity, Recipient};
use anyhow::Result;
use tend_protocol::ledger::Ledger;
use tend_protocol::{Plan, ProtocolError, Role};
use tend_store::bundle;
use zeroize::Zeroizing;

use crate::failure::{Failure, fail};
use crate::files::write_private;

/// Reads and checks a plan file.
pub fn read_plan(path: &Path) -> Result<Plan> {
    let bytes = std::fs::read(path).map_err(|e| {
        fail(format!("could not read the plan {}: {e}", path.display()))
            .hint("the co-facilitators' `tend retreat plan` wrote it")
    })?;
    Plan::parse(&bytes).map_err(|e| {
        fail(format!("{}: {e}", path.display()))
            .hint("ask the co-facilitators for the plan file again")
            .into()
    })
}

/// A protocol error as one line and a hint.
pub fn refused(e: ProtocolError, hint: &str) -> anyhow::Error {
    let hint = match &e {
        ProtocolError::BelowMinGroup { .. } => {
            "nothing was aggregated; wait for more reports, or ask the members who have not yet \
             shared"
        }
        ProtocolError::AlreadyAggregated { .. } => {
            "a report is aggregated once only, so no summary can be built with and without one \
             member; nothing was written"
        }
        _ => hint,
    };
    fail(e.to_string()).hint(hint).into()
}

/// A recipient named by the plan.
pub fn recipient(plan: &Plan, role: Role) -> Result<Recipient> {
    let text = match role {
        Role::Leader => &plan.leader,
        Role::Helper => &plan.helper,
    };
    bundle::parse_recipient(text).map_err(|e| {
        fail(format!("the plan's {role} recipient: {e}"))
            .hint("the plan is damaged; ask the co-facilitators for it again")
            .into()
    })
}

/// Opens a file sealed to one of `identities`; the plain bytes are zeroed when dropped.
pub fn open(path: &Path, identities: &[Identity], what: &str) -> Result<Zeroizing<Vec<u8>>> {
    let bytes = std::fs::read(path)
        .map_err(|e| fail(format!("could not read {} {}: {e}", what, path.display())))?;
    bundle::open(&bytes, identities)
        .map(Zeroizing::new)
        .map_err(|e| {
            fail(format!("could not open {} {}: {e}", what, path.display()))
                .hint("check that -i names your own identity, the one the plan lists for you")
                .into()
        })
}

/// Seals `plain` to `recipients` and writes it.
pub fn seal_to(path: &Path, plain: &[u8], recipients: &[Recipient], force: bool) -> Result<()> {
    let sealed = bundle::seal(plain, recipients, false)?;
    write_private(path, &sealed, force)
}

/// Refuses to write over a file without --force.
pub fn check_free(path: &Path, force: bool) -> Result<(), Failure> {
    if path.exists() && !force {
        return Err(fail(format!("{} already exists", path.display()))
            .hint("choose another name, or add --force to replace it"));
    }
    Ok(())
}

/// Reads a co-facilitator's ledger, or starts one when the file does not exist yet.
pub fn read_ledger(path: &Path, role: Role, plan: &Plan) -> Result<Ledger> {
    let fingerprint = plan.fingerprint();
    match std::fs::read(path) {
        Ok(bytes) => Ledger::parse(&bytes, role, &fingerprint).map_err(|e| {
            fail(format!("the ledger {}: {e}", path.display()))
                .hint("each co-facilitator keeps one ledger per plan; name yours with --ledger")
                .into()
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Ledger::new(role, &fingerprint)),
        Err(e) => Err(
            fail(format!("could not read the ledger {}: {e}", path.display()))
                .hint("the ledger must be readable, or no report could be refused a second time")
                .into(),
        ),
    }
}

/// Writes the ledger back.
pub fn write_ledger(path: &Path, ledger: &Ledger) -> Result<()> {
    write_private(path, &ledger.to_json(), true)
}
