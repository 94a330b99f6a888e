//! Writing a values pack back out as TOML that a person can read, edit and share.
//!
//! Written by hand rather than through a serializer, so the file keeps the layout of the
//! guide (one prompt per line, `retired` only where it is true) and reads like something a
//! person wrote. Every string is quoted by toml itself, so any text survives the trip.

use std::fmt::Write as _;

use super::ValuesPack;

impl ValuesPack {
    /// The pack as a TOML file. [`ValuesPack::parse`] reads it back to an equal pack.
    ///
    /// Everything is written out, defaults included, so the file says exactly what the
    /// pack holds; `retired = true` appears only on retired values.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        let meta = &self.meta;
        line(
            &mut out,
            format_args!("# Fingerprint when exported: {}", self.fingerprint()),
        );
        out.push('\n');
        out.push_str("[pack]\n");
        key(&mut out, "name", &meta.name);
        key(&mut out, "version", &meta.version);
        if !meta.description.is_empty() {
            key(&mut out, "description", &meta.description);
        }
        key(&mut out, "language", &meta.language);

        out.push_str("\n[scale]\n");
        line(&mut out, format_args!("min = {}", self.scale.min));
        line(&mut out, format_args!("max = {}", self.scale.max));
        let words: Vec<String> = self.scale.words.iter().map(|w| quote(w)).collect();
        line(&mut out, format_args!("words = [{}]", words.join(", ")));

        for value in &self.values {
            out.push_str("\n[[value]]\n");
            key(&mut out, "id", &value.id);
            key(&mut out, "name", &value.name);
            key(&mut out, "description", &value.description);
            list(&mut out, "prompts", &value.prompts);
            if value.retired {
                out.push_str("retired = true\n");
            }
        }

        let repair = &self.repair;
        out.push_str("\n[repair]\n");
        list(&mut out, "reflection", &repair.reflection);
        list(&mut out, "apology", &repair.apology);
        list(&mut out, "repair", &repair.repair);
        list(&mut out, "change", &repair.change);
        out
    }
}

fn line(out: &mut String, args: std::fmt::Arguments<'_>) {
    // Writing to a String cannot fail.
    let _ = out.write_fmt(args);
    out.push('\n');
}

fn key(out: &mut String, key: &str, text: &str) {
    line(out, format_args!("{key} = {}", quote(text)));
}

fn list(out: &mut String, key: &str, items: &[String]) {
    if items.is_empty() {
        line(out, format_args!("{key} = []"));
        return;
    }
    line(out, format_args!("{key} = ["));
    for item in items {
        line(out, format_args!("    {},", quote(item)));
    }
    out.push_str("]\n");
}

/// `text` as a TOML string, quoted and escaped by toml itself.
fn quote(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::super::Value;
    use super::*;

    #[test]
    fn pack_export_reads_like_the_guide() {
        let mut pack = ValuesPack::default_pack();
        pack.values.push(Value {
            id: "care".to_owned(),
            name: "Care \"for\" each other".to_owned(),
            description: "Two\nlines, with a \\ and ''' and \"\"\".".to_owned(),
            prompts: vec![],
            retired: true,
        });
        let toml = pack.to_toml();
        assert!(toml.contains("[pack]\nname = "), "{toml}");
        assert!(toml.contains("prompts = []\nretired = true\n"), "{toml}");
        assert_eq!(toml.matches("retired").count(), 1, "{toml}");
        assert_eq!(ValuesPack::parse(&toml), Ok(pack));
    }
}
