//! The agent's request decoder and framing, on arbitrary bytes from a same-user client: they
//! must refuse anything malformed without panicking or reserving more than they were sent.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tend_agent::protocol::decode(data);
    let _ = tend_agent::protocol::decode_status(data);
    let mut buf = zeroize::Zeroizing::new(Vec::new());
    let mut reader = data;
    while let Ok(true) = tend_agent::protocol::read_frame(&mut reader, &mut buf) {
        let _ = tend_agent::protocol::decode(&buf);
    }
});
