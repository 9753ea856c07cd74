//! Reading one OpenSSH public key line, as `ssh-keygen` writes it in a `.pub` file, with the
//! RustCrypto `ssh-key` parser, and refusing what it would let through.

use base64ct::{Base64, Encoding};
use ssh_key::public::KeyData;
use ssh_key::{Algorithm, EcdsaCurve, HashAlg, PublicKey};

/// Longest input looked at (OpenSSH's own limit for an authorized_keys line is 8 KB; an
/// RSA-8192 key with a long comment stays well under this).
pub const MAX_INPUT_BYTES: usize = 16 * 1024;
const RSA_MIN_BITS: u32 = 2048;
const RSA_MAX_BITS: u32 = 8192;

/// The accepted key types, as written at the start of the line.
const ACCEPTED: [&str; 8] = [
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-rsa",
    // DSA is known, so its refusal can say why.
    "ssh-dss",
];

const DSA_REFUSED: &str = "DSA keys (ssh-dss) are insecure and no longer accepted. \
    Create an Ed25519 key: ssh-keygen -t ed25519";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedKey {
    /// The type word, e.g. `ssh-ed25519`.
    pub algorithm: String,
    pub bits: u32,
    /// `SHA256:` and unpadded base64, as `ssh-keygen -lf` prints it.
    pub fingerprint: String,
    /// Type and key data, without the comment: what `authorized_keys` gets.
    pub openssh: String,
    pub comment: String,
}

pub fn parse(input: &str) -> Result<ParsedKey, String> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(format!(
            "That is too long for a public key (over {} KB). Paste the one line of your .pub file.",
            MAX_INPUT_BYTES / 1024
        ));
    }
    let line = input.trim();
    if line.is_empty() {
        return Err("Paste your public key, e.g. the contents of ~/.ssh/id_ed25519.pub.".into());
    }
    if line.contains("PRIVATE KEY") || line.starts_with("PuTTY-User-Key-File") {
        return Err(
            "This is a private key. Never paste a private key anywhere: it stays on \
             your computer. Paste the public key (the .pub file) instead."
                .into(),
        );
    }
    if line.contains(['\n', '\r']) {
        let keys = line
            .lines()
            .filter(|l| starts_with_known_type(l.trim()))
            .count();
        return Err(if keys > 1 {
            "That is more than one key. Add them one at a time.".into()
        } else {
            "A public key is a single line; remove the line breaks.".into()
        });
    }
    if line.chars().any(char::is_control) {
        return Err(
            "The key contains control characters; paste it again from the .pub file.".into(),
        );
    }
    let mut words = line.split_whitespace();
    let type_word = words.next().unwrap_or_default();
    if !ACCEPTED.contains(&type_word) {
        return Err(
            if type_word.contains('=') || type_word.contains(',') || line.contains('"') {
                "Options such as command=\"...\" or from=\"...\" are not allowed here: paste only \
             the key, starting with its type (e.g. ssh-ed25519)."
                    .into()
            } else if type_word.contains("-cert-") {
                "SSH certificates are not supported; paste the plain public key.".into()
            } else {
                format!(
                "\u{201c}{}\u{201d} is not a key type we accept. Use ssh-ed25519 (recommended), \
                 ECDSA, a security key (sk-...) or RSA of 2048 bits or more.",
                type_word.chars().take(40).collect::<String>()
            )
            },
        );
    }
    if type_word == "ssh-dss" {
        return Err(DSA_REFUSED.into());
    }
    if words.clone().skip(1).any(starts_with_known_type) {
        return Err("That is more than one key. Add them one at a time.".into());
    }
    let key = PublicKey::from_openssh(line).map_err(|_| {
        // The parser refuses a type word that does not match the data without saying so;
        // the data parsed alone tells which it is.
        let data = line.split_whitespace().nth(1).unwrap_or_default();
        match Base64::decode_vec(data)
            .ok()
            .and_then(|blob| PublicKey::from_bytes(&blob).ok())
        {
            Some(actual) if actual.algorithm().as_str() != type_word => format!(
                "The key says it is {type_word}, but its data is a {} key.",
                actual.algorithm().as_str()
            ),
            _ => "This does not look like a valid public key: the key data is damaged or \
                  incomplete."
                .to_owned(),
        }
    })?;
    let algorithm = key.algorithm();
    if algorithm.as_str() != type_word {
        return Err(format!(
            "The key says it is {type_word}, but its data is a {} key.",
            algorithm.as_str()
        ));
    }
    let bits = match (&algorithm, key.key_data()) {
        (Algorithm::Dsa, _) => return Err(DSA_REFUSED.into()),
        (Algorithm::Rsa { .. }, KeyData::Rsa(rsa)) => {
            let bits = mpint_bits(rsa.n.as_bytes());
            if bits < RSA_MIN_BITS {
                return Err(format!(
                    "This RSA key has {bits} bits; at least {RSA_MIN_BITS} are needed. \
                     Better, create an Ed25519 key: ssh-keygen -t ed25519"
                ));
            }
            if bits > RSA_MAX_BITS {
                return Err(format!(
                    "This RSA key has {bits} bits; at most {RSA_MAX_BITS} are accepted."
                ));
            }
            bits
        }
        (Algorithm::Ecdsa { curve }, _) => match curve {
            EcdsaCurve::NistP256 => 256,
            EcdsaCurve::NistP384 => 384,
            EcdsaCurve::NistP521 => 521,
        },
        (Algorithm::Ed25519 | Algorithm::SkEd25519 | Algorithm::SkEcdsaSha2NistP256, _) => 256,
        _ => return Err(format!("{type_word} keys are not accepted.")),
    };
    let openssh = PublicKey::from(key.key_data().clone())
        .to_openssh()
        .map_err(|_| "This key cannot be stored as given.".to_owned())?;
    Ok(ParsedKey {
        algorithm: type_word.to_owned(),
        bits,
        fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
        openssh,
        comment: key.comment().trim().to_owned(),
    })
}

fn starts_with_known_type(s: &str) -> bool {
    ACCEPTED
        .iter()
        .any(|t| s == *t || s.strip_prefix(t).is_some_and(|rest| rest.starts_with(' ')))
}

/// Bits of an SSH mpint (big-endian, possibly with a leading zero byte).
fn mpint_bits(bytes: &[u8]) -> u32 {
    let bytes: &[u8] = match bytes.iter().position(|b| *b != 0) {
        Some(i) => &bytes[i..],
        None => return 0,
    };
    (bytes.len() as u32 - 1) * 8 + (8 - bytes[0].leading_zeros())
}

#[cfg(test)]
mod tests {
    //! Keys come from the real `ssh-keygen`, made at test time; fingerprints are compared with
    //! what `ssh-keygen -lf` prints.

    use std::path::PathBuf;
    use std::process::Command;

    use super::*;

    struct Generated {
        public: String,
        private: String,
        fingerprint: String,
    }

    fn scratch() -> PathBuf {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "tessera-ssh-{}-{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn keygen(kind: &str, bits: Option<u32>, comment: &str) -> Generated {
        let dir = scratch();
        let path = dir.join("key");
        let mut cmd = Command::new("ssh-keygen");
        cmd.args(["-q", "-N", "", "-t", kind, "-C", comment, "-f"])
            .arg(&path);
        if let Some(bits) = bits {
            cmd.args(["-b", &bits.to_string()]);
        }
        let out = cmd
            .output()
            .expect("ssh-keygen (openssh-client) is installed");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lf = Command::new("ssh-keygen")
            .arg("-lf")
            .arg(path.with_extension("pub"))
            .output()
            .unwrap();
        let printed = String::from_utf8(lf.stdout).unwrap();
        let generated = Generated {
            public: std::fs::read_to_string(path.with_extension("pub")).unwrap(),
            private: std::fs::read_to_string(&path).unwrap(),
            fingerprint: printed.split_whitespace().nth(1).unwrap().to_owned(),
        };
        let _ = std::fs::remove_dir_all(dir);
        generated
    }

    #[test]
    fn every_accepted_type_parses_with_the_fingerprint_ssh_keygen_prints() {
        for (kind, bits, expected_type, expected_bits) in [
            ("ed25519", None, "ssh-ed25519", 256),
            ("ecdsa", Some(256), "ecdsa-sha2-nistp256", 256),
            ("ecdsa", Some(384), "ecdsa-sha2-nistp384", 384),
            ("ecdsa", Some(521), "ecdsa-sha2-nistp521", 521),
            ("rsa", Some(2048), "ssh-rsa", 2048),
            ("rsa", Some(3072), "ssh-rsa", 3072),
        ] {
            let key = keygen(kind, bits, "ada@laptop");
            let parsed = parse(&format!("  {}\n", key.public)).unwrap();
            assert_eq!(parsed.algorithm, expected_type);
            assert_eq!(parsed.bits, expected_bits, "{kind}");
            assert_eq!(parsed.fingerprint, key.fingerprint, "{kind}");
            assert_eq!(parsed.comment, "ada@laptop");
            assert!(key.public.starts_with(&parsed.openssh));
        }
    }

    /// `ssh-keygen -lf` on a public key line.
    fn fingerprint_by_ssh_keygen(line: &str) -> String {
        let dir = scratch();
        let path = dir.join("key.pub");
        std::fs::write(&path, line).unwrap();
        let out = Command::new("ssh-keygen")
            .arg("-lf")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let _ = std::fs::remove_dir_all(dir);
        String::from_utf8(out.stdout)
            .unwrap()
            .split_whitespace()
            .nth(1)
            .unwrap()
            .to_owned()
    }

    #[test]
    fn security_key_types_parse_with_the_fingerprint_ssh_keygen_prints() {
        // Making a security-key pair needs the hardware token; its public line is an ordinary
        // key's point plus an application string, so it is built from ssh-keygen's keys here,
        // and ssh-keygen itself checks the result.
        use ssh_key::public::{SkEcdsaSha2NistP256, SkEd25519};
        let ed = PublicKey::from_openssh(&keygen("ed25519", None, "x").public).unwrap();
        let ed_point = *ed.key_data().ed25519().unwrap();
        let sk_ed = PublicKey::new(
            KeyData::SkEd25519(SkEd25519::new(ed_point, "ssh:")),
            "yubikey",
        )
        .to_openssh()
        .unwrap();
        let ec = PublicKey::from_openssh(&keygen("ecdsa", Some(256), "x").public).unwrap();
        let ssh_key::public::EcdsaPublicKey::NistP256(point) = *ec.key_data().ecdsa().unwrap()
        else {
            panic!("a P-256 key");
        };
        let sk_ec = PublicKey::new(
            KeyData::SkEcdsaSha2NistP256(SkEcdsaSha2NistP256::new(point, "ssh:")),
            "token",
        )
        .to_openssh()
        .unwrap();
        for (line, expected) in [
            (sk_ed, "sk-ssh-ed25519@openssh.com"),
            (sk_ec, "sk-ecdsa-sha2-nistp256@openssh.com"),
        ] {
            let parsed = parse(&line).unwrap();
            assert_eq!(parsed.algorithm, expected);
            assert_eq!(parsed.bits, 256);
            assert_eq!(parsed.fingerprint, fingerprint_by_ssh_keygen(&line));
        }
    }

    #[test]
    fn weak_and_unknown_types_are_refused_with_a_reason() {
        let rsa1024 = keygen("rsa", Some(1024), "old");
        assert!(parse(&rsa1024.public).unwrap_err().contains("1024 bits"));
        let dsa = keygen("dsa", None, "dsa").public;
        assert!(parse(&dsa).unwrap_err().contains("DSA"));
        let err = parse("ssh-foo AAAAB3NzaC1yc2EAAAADAQABAAABAQ comment").unwrap_err();
        assert!(err.contains("not a key type we accept"), "{err}");
    }

    #[test]
    fn a_type_word_that_does_not_match_the_data_is_refused() {
        let ed = keygen("ed25519", None, "x");
        let data = ed.public.split_whitespace().nth(1).unwrap();
        let err = parse(&format!("ssh-rsa {data} x")).unwrap_err();
        assert!(
            err.contains("ssh-rsa") && err.contains("ssh-ed25519"),
            "{err}"
        );
    }

    #[test]
    fn private_keys_two_keys_options_and_control_characters_are_refused() {
        let ed = keygen("ed25519", None, "ada");
        let err = parse(&ed.private).unwrap_err();
        assert!(err.contains("private key"), "{err}");
        assert!(!err.contains("OPENSSH"), "the key is not echoed");

        let other = keygen("ed25519", None, "bob");
        let err = parse(&format!("{}{}", ed.public, other.public)).unwrap_err();
        assert!(err.contains("more than one key"), "{err}");
        let err = parse(&format!("{} {}", ed.public.trim(), other.public.trim())).unwrap_err();
        assert!(err.contains("more than one key"), "{err}");

        let err = parse(&format!("command=\"/bin/sh\" {}", ed.public)).unwrap_err();
        assert!(err.contains("Options"), "{err}");
        let err = parse(&format!("no-pty,from=\"10.0.0.1\" {}", ed.public)).unwrap_err();
        assert!(err.contains("Options"), "{err}");

        let err = parse(&ed.public.trim().replace(" ada", " a\u{7}da")).unwrap_err();
        assert!(err.contains("control characters"), "{err}");
        let err = parse(&ed.public.trim().replace(' ', "\r")).unwrap_err();
        assert!(err.contains("line"), "{err}");
    }

    #[test]
    fn size_and_damage_are_refused() {
        let huge = format!("ssh-ed25519 {}", "A".repeat(MAX_INPUT_BYTES));
        assert!(parse(&huge).unwrap_err().contains("too long"));
        assert!(parse("   ").unwrap_err().contains("Paste your public key"));
        let ed = keygen("ed25519", None, "x");
        let mut damaged = ed.public.clone();
        damaged.replace_range(30..34, "!!!!");
        assert!(parse(&damaged)
            .unwrap_err()
            .contains("not look like a valid"));
        let truncated: String = ed.public.chars().take(40).collect();
        assert!(parse(&truncated).is_err());
    }

    #[test]
    fn rsa_bits_come_from_the_modulus() {
        assert_eq!(mpint_bits(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(mpint_bits(&[0x01, 0x00]), 9);
        assert_eq!(mpint_bits(&[0x00]), 0);
    }
}
