//! Prio3SumVec for one plan: sharding a member's measurement, the one round of
//! verification between the two co-facilitators, and adding up output shares.
//!
//! Everything crosses files as the VDAF's own encodings (the draft's wire format), in base64.
//! The application context binds every share to the plan, so a share made for one retreat
//! does not verify in another.

use prio::codec::{Encode, ParameterizedDecode};
use prio::field::Field128;
use prio::vdaf::prio3::{
    Prio3InputShare, Prio3PublicShare, Prio3SumVec, Prio3VerifierMessage, Prio3VerifierShare,
    Prio3VerifyState, optimal_chunk_length,
};
use prio::vdaf::{Aggregatable, AggregateShare, Aggregator, Client, Collector, VerifyTransition};

use crate::ProtocolError;

/// The nonce of one report: its id, too.
pub type Nonce = [u8; 16];
/// The verification key the two co-facilitators share for one batch.
pub type VerifyKey = [u8; 32];

/// The leader is aggregator 0 and the helper aggregator 1, as in DAP.
pub const LEADER: usize = 0;
/// See [`LEADER`].
pub const HELPER: usize = 1;

/// Prio3SumVec with entries of one bit, for measurements of one length.
#[derive(Debug, Clone)]
pub struct Vdaf {
    inner: Prio3SumVec,
    ctx: Vec<u8>,
}

/// A member's measurement, sharded.
#[derive(Debug, Clone)]
pub struct Sharded {
    /// The report's nonce.
    pub nonce: Nonce,
    /// The public share (both co-facilitators need it).
    pub public_share: Vec<u8>,
    /// The leader's input share.
    pub leader_share: Vec<u8>,
    /// The helper's input share.
    pub helper_share: Vec<u8>,
}

/// One co-facilitator's state for one report, after its first step.
#[derive(Debug, Clone)]
pub struct Verifying {
    state: Prio3VerifyState<Field128, 32>,
    /// This co-facilitator's verifier share, for the other one.
    pub share: Vec<u8>,
}

fn codec(what: &'static str) -> impl Fn(prio::codec::CodecError) -> ProtocolError {
    move |e| ProtocolError::Malformed(format!("{what}: {e}"))
}

impl Vdaf {
    /// The VDAF for measurements of `len` one-bit entries, bound to `context` (the plan's
    /// fingerprint).
    pub fn new(len: usize, context: &str) -> Result<Self, ProtocolError> {
        let inner = Prio3SumVec::new_sum_vec(2, 1, len, optimal_chunk_length(len))
            .map_err(|e| ProtocolError::Vdaf(e.to_string()))?;
        let mut ctx = b"tend retreat v1 ".to_vec();
        ctx.extend_from_slice(context.as_bytes());
        Ok(Vdaf { inner, ctx })
    }

    /// Shards a measurement into a public share and the two input shares.
    pub fn shard(&self, measurement: &[u128]) -> Result<Sharded, ProtocolError> {
        let nonce: Nonce = rand::random();
        let (public, inputs) = self
            .inner
            .shard(&self.ctx, &measurement.to_vec(), &nonce)
            .map_err(|e| ProtocolError::Vdaf(e.to_string()))?;
        let enc = |e: prio::codec::CodecError| ProtocolError::Vdaf(e.to_string());
        Ok(Sharded {
            nonce,
            public_share: public.get_encoded().map_err(enc)?,
            leader_share: inputs[LEADER].get_encoded().map_err(enc)?,
            helper_share: inputs[HELPER].get_encoded().map_err(enc)?,
        })
    }

    /// One co-facilitator's first step for one report: decode its input share and start
    /// verifying. A share that does not decode, or whose proof does not check, is refused.
    pub fn verify_init(
        &self,
        key: &VerifyKey,
        role: usize,
        nonce: &Nonce,
        public_share: &[u8],
        input_share: &[u8],
    ) -> Result<Verifying, ProtocolError> {
        let public = Prio3PublicShare::get_decoded_with_param(&self.inner, public_share)
            .map_err(codec("the public share"))?;
        let input = Prio3InputShare::<Field128, 32>::get_decoded_with_param(
            &(&self.inner, role),
            input_share,
        )
        .map_err(codec("the input share"))?;
        let (state, share) = self
            .inner
            .verify_init(key, &self.ctx, role, &(), nonce, &public, &input)
            .map_err(|e| ProtocolError::Rejected(e.to_string()))?;
        Ok(Verifying {
            state,
            share: share
                .get_encoded()
                .map_err(|e| ProtocolError::Vdaf(e.to_string()))?,
        })
    }

    /// The leader's half of the round: its own and the helper's verifier shares into the
    /// verifier message. Fails when the proof does not hold: the measurement is malformed.
    pub fn combine(&self, leader: &Verifying, helper: &[u8]) -> Result<Vec<u8>, ProtocolError> {
        let ours = Prio3VerifierShare::get_decoded_with_param(&leader.state, &leader.share)
            .map_err(codec("a verifier share"))?;
        let other = Prio3VerifierShare::get_decoded_with_param(&leader.state, helper)
            .map_err(codec("the helper's verifier share"))?;
        let shares = [ours, other];
        let message = self
            .inner
            .verifier_shares_to_message(&self.ctx, &(), shares)
            .map_err(|e| ProtocolError::Rejected(e.to_string()))?;
        message
            .get_encoded()
            .map_err(|e| ProtocolError::Vdaf(e.to_string()))
    }

    /// Either co-facilitator's last step: the verifier message turns its input share into an
    /// output share.
    pub fn finish(&self, mine: Verifying, message: &[u8]) -> Result<Output, ProtocolError> {
        let message: Prio3VerifierMessage<32> =
            ParameterizedDecode::get_decoded_with_param(&mine.state, message)
                .map_err(codec("the verifier message"))?;
        match self
            .inner
            .verify_next(&self.ctx, mine.state, message)
            .map_err(|e| ProtocolError::Rejected(e.to_string()))?
        {
            VerifyTransition::Finish(out) => Ok(Output(AggregateShare::from(out))),
            VerifyTransition::Continue(..) => Err(ProtocolError::Vdaf(
                "Prio3 asked for a second round, which it never does".into(),
            )),
        }
    }

    /// An empty aggregate share.
    pub fn empty(&self) -> Output {
        Output(self.inner.aggregate_init(&()))
    }

    /// Reads an aggregate share.
    pub fn decode_share(&self, bytes: &[u8]) -> Result<Output, ProtocolError> {
        AggregateShare::get_decoded_with_param(&(&self.inner, &()), bytes)
            .map(Output)
            .map_err(codec("the aggregate share"))
    }

    /// Both aggregate shares into the aggregate: the sum of the `members` measurements.
    pub fn unshard(
        &self,
        leader: Output,
        helper: Output,
        members: usize,
    ) -> Result<Vec<u128>, ProtocolError> {
        self.inner
            .unshard(&(), [leader.0, helper.0], members)
            .map_err(|e| ProtocolError::Vdaf(e.to_string()))
    }
}

/// An output share, or a sum of them: one co-facilitator's aggregate share.
#[derive(Debug, Clone)]
pub struct Output(AggregateShare<Field128>);

impl Output {
    /// Adds another output share in.
    pub fn add(&mut self, other: &Output) -> Result<(), ProtocolError> {
        self.0
            .merge(&other.0)
            .map_err(|e| ProtocolError::Vdaf(e.to_string()))
    }

    /// The share's encoding.
    pub fn encode(&self) -> Result<Vec<u8>, ProtocolError> {
        self.0
            .get_encoded()
            .map_err(|e| ProtocolError::Vdaf(e.to_string()))
    }
}
