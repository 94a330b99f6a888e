//! Synthetic reflections for the benchmarks: about 1 KiB of text each, 1–3 values with
//! ratings, 0–3 tags, an occasional content note, days spread evenly over ten years.
//!
//! Shared by `examples/generate.rs` and the criterion benches (`#[path]`-included), so both
//! measure the same kind of journal. Deterministic for a seeded `StdRng`.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use tend_core::reflection::{Reflection, ValueRating};

/// The words `bench/compare.sh` searches for, and the tag it filters by.
pub const SEARCH: [&str; 2] = ["interpreter", "sliding"];
pub const TAG: &str = "waitlist";
/// Roughly how long a reflection is, in bytes.
const TEXT_BYTES: usize = 1024;

const TITLES: &[&str] = &[
    "Long day of sessions and a hard team meeting.",
    "Quiet day; mostly notes and supervision.",
    "The rota conversation finally happened.",
    "Felt stretched thin between clients and admin.",
    "A good circle this morning.",
    "Noticed I talked over someone again.",
    "Budget meeting left me uneasy.",
    "Intake was full and the waiting list keeps growing.",
    "Supervision helped me see the pattern.",
    "Trying to hold the line on my own capacity.",
    "We named something that has been unsaid for months.",
    "Training day with the new members.",
    "A repair conversation that went better than I feared.",
    "Tired, but the work felt like ours today.",
    "Board prep took the whole afternoon.",
    "Outreach at the community centre.",
];

const SENTENCES: &[&str] = &[
    "I asked who had not spoken yet before we moved to the decision, and two people who usually stay quiet shared what the new rota would cost them.",
    "The conversation about pay transparency is still uncomfortable for me, because it means saying out loud what I earn and what I think the work is worth.",
    "We booked an interpreter for the family session, and I noticed how much more the mother said once she could speak in her own language.",
    "Our sliding scale fees came up again in the finance circle; we keep promising to revisit the bottom tier and then running out of time.",
    "I took a longer lunch than usual and felt guilty about it, which is a pattern I want to look at rather than judge.",
    "A colleague pointed out that the intake form still asks questions that assume a two-parent household, and she is right.",
    "I committed to drafting the accessibility checklist by Friday, and I want to keep that commitment or renegotiate it early instead of letting it slide quietly.",
    "Supervision today was mostly about a client who reminds me of my brother; naming that helped me stop bracing in every session with him.",
    "The waiting list is now eleven weeks long, and I worry about who gives up before we ever meet them.",
    "I apologised to Sam for cutting across her in the meeting; she said it mattered that I noticed without being told.",
    "We are still deciding decisions by whoever stays latest in the meeting, which is not consent and not fair to people with caring responsibilities.",
    "I want to bring the question of who does the invisible admin to the next retreat, because it falls on the same three people every month.",
    "The new member asked why we do not have a hierarchy, and explaining it made me remember why I came here in the first place.",
    "I was short with the reception volunteer when the printer jammed; I will tell her tomorrow that it was about my morning, not her.",
    "The budget shows we can afford the training fund only if we keep the evening clinic, and the evening clinic is what burns people out.",
    "I noticed that every example in our training slides used a white, middle-class client, and I want to change that before the next cohort.",
    "We held a repair circle for the argument last week; it was slow and awkward and I think it worked.",
    "A client thanked us for the sliding fee and said it was the only reason she could keep coming, which was moving and also a reminder of the stakes.",
    "I realised I have been avoiding the conversation about my hours because I am afraid of being seen as less committed.",
    "The interpreter budget ran out in March, so we agreed to cover it from the solidarity fund until the grant comes through.",
    "Someone said the rota favours people without children, and nobody disagreed, which tells me we should have changed it a long time ago.",
    "I spent the afternoon on notes and felt the familiar pull to do them perfectly instead of well enough.",
    "The board asked for a report on outcomes, and I want us to describe what matters to clients rather than what is easy to count.",
    "We tried a check-in round with one word each, and it surfaced more than an hour of discussion had.",
    "I felt proud of how the team handled the complaint: we listened first, we did not get defensive, and we told the person what we would change.",
    "My own capacity is lower this month, and saying so in the circle felt like practising what I ask clients to do.",
    "We talked about whether to take on the council contract; the money would help, but the reporting would shape our work in ways we might not choose.",
    "I noticed I assumed the new referral would need a male therapist, and I want to check where that assumption came from.",
    "The mutual aid fund paid for two people's travel this month, and nobody had to explain why they needed it.",
    "We finally wrote down how we make decisions, and seeing it on paper showed how much depends on who feels confident to speak.",
    "I was tired and said yes to an extra session I did not have room for; next time I want to pause before answering.",
    "The accessibility audit found that our upstairs room is still the only quiet room, which shuts out anyone who cannot use the stairs.",
    "A long-standing client finished today, and I let myself feel the ending instead of rushing to the next thing.",
    "We disagreed about the hiring panel, and for once the disagreement stayed with the question instead of turning into who was right.",
    "I shared the draft policy on harm and repair with the whole cooperative, and the comments made it kinder and more concrete.",
    "Our meeting started late again, and the people who waited were the ones with the least flexible days.",
    "I kept my commitment to leave by six, even though the inbox was not empty, and the work was still there in the morning.",
    "The outreach stall at the market brought three enquiries from people who had never heard that therapy could be affordable.",
    "I said something in supervision about a client's culture that I would not want them to hear, and I want to understand why it came out that way.",
    "We celebrated the first year of the evening clinic with cake and honest talk about what it has cost us.",
];

const TAGS: &[&str] = &[
    "rota",
    "pay",
    "intake",
    "supervision",
    "board",
    "clients",
    "training",
    "budget",
    "retreat",
    "conflict",
    "hiring",
    "accessibility",
    "care",
    "meeting",
    "outreach",
    TAG,
    "onboarding",
    "policy",
    "capacity",
    "mutualaid",
];

const VALUES: &[&str] = &["equity", "transparency", "repair", "anti-oppression"];

const NOTES: &[&str] = &["mentions a client crisis", "about a harm I caused", "grief"];

/// One synthetic reflection, `index` of `count`, spread evenly over ten years.
pub fn reflection(rng: &mut StdRng, index: usize, count: usize) -> Reflection {
    let start = NaiveDate::from_ymd_opt(2016, 1, 4).expect("a date");
    let span_days = 3650i64;
    let offset =
        i64::try_from(index).unwrap_or(0) * span_days / i64::try_from(count.max(1)).unwrap_or(1);
    let on = start + Duration::days(offset);
    let written = Utc.from_utc_datetime(
        &on.and_hms_opt(rng.gen_range(7..22), rng.gen_range(0..60), 0)
            .expect("a time"),
    );

    let mut text = String::with_capacity(TEXT_BYTES + 256);
    text.push_str(TITLES.choose(rng).expect("titles"));
    text.push('\n');
    let mut order: Vec<usize> = (0..SENTENCES.len()).collect();
    order.shuffle(rng);
    for (n, i) in order.into_iter().enumerate() {
        if text.len() >= TEXT_BYTES {
            break;
        }
        // Three sentences to a paragraph.
        text.push(if n % 3 == 0 { '\n' } else { ' ' });
        text.push_str(SENTENCES[i]);
    }

    let mut r = Reflection::new(text, on, written);
    let mut values = VALUES.to_vec();
    values.shuffle(rng);
    for v in values.iter().take(rng.gen_range(1..=3)) {
        let rating = rng.gen_bool(0.8).then(|| rng.gen_range(1..=5));
        r.values.push(ValueRating::new(*v, rating));
    }
    let mut tags = TAGS.to_vec();
    tags.shuffle(rng);
    r.tags = tags
        .iter()
        .take(rng.gen_range(0..=3))
        .map(|t| (*t).to_owned())
        .collect();
    if rng.gen_bool(0.03) {
        r.content_note = NOTES.choose(rng).map(|n| (*n).to_owned());
    }
    r
}
