//! The one check for a line of text a person names something with (their name, a device,
//! an SSH key, a workspace, an account): trimmed, length-capped, and free of characters that
//! make it look like something else in a list.

/// Characters that reorder the text around them (the "Trojan Source" spoof): a device named
/// "Phone\u{202e}kooB" shows as "PhoneBook". Unicode's bidirectional formatting characters.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// The longest first or last name.
pub const NAME_MAX_CHARS: usize = 100;

/// What is wrong with a line of text; the caller words it for its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineError {
    Empty,
    TooLong {
        max: usize,
        entered: usize,
    },
    /// Line breaks, tabs and other control characters.
    Control,
    /// Characters that change the direction of the text around them.
    Direction,
}

impl LineError {
    /// The message for a field called `label` ("first name", "device name").
    pub fn message(&self, label: &str) -> String {
        match self {
            Self::Empty => format!("Enter the {label}."),
            Self::TooLong { max, entered } => {
                format!("Keep the {label} to {max} characters or fewer ({entered} entered).")
            }
            Self::Control => format!("The {label} cannot contain line breaks or control characters."),
            Self::Direction => format!(
                "The {label} cannot contain characters that change the direction of text (such as U+202E)."
            ),
        }
    }
}

/// `input` trimmed, if it is one line of at most `max` characters; empty is allowed (the
/// caller decides whether it is required).
pub fn line(input: &str, max: usize) -> Result<String, LineError> {
    let value = input.trim();
    let entered = value.chars().count();
    if entered > max {
        return Err(LineError::TooLong { max, entered });
    }
    if value.chars().any(char::is_control) {
        return Err(LineError::Control);
    }
    if value.chars().any(is_bidi_control) {
        return Err(LineError::Direction);
    }
    Ok(value.to_owned())
}

/// Like [`line`], and not empty.
pub fn required_line(input: &str, max: usize) -> Result<String, LineError> {
    match line(input, max)? {
        value if value.is_empty() => Err(LineError::Empty),
        value => Ok(value),
    }
}

/// A required name that is unique per person whatever its case (a device, a passkey): the
/// name as stored and its lower-cased key. `label` names the field in messages; `when_empty`
/// is the message for an empty one.
pub fn keyed_name(
    input: &str,
    max: usize,
    label: &str,
    when_empty: &str,
) -> Result<(String, String), String> {
    match required_line(input, max) {
        Ok(name) => {
            let key = name.to_lowercase();
            Ok((name, key))
        }
        Err(LineError::Empty) => Err(when_empty.to_owned()),
        Err(e) => Err(e.message(label)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_trimmed_capped_and_free_of_control_and_direction_characters() {
        assert_eq!(required_line("  Ada ", 10), Ok("Ada".into()));
        assert_eq!(required_line("   ", 10), Err(LineError::Empty));
        assert_eq!(line("   ", 10), Ok(String::new()));
        assert_eq!(
            required_line("abcdefghijk", 10),
            Err(LineError::TooLong {
                max: 10,
                entered: 11
            })
        );
        assert_eq!(required_line("a\nb", 10), Err(LineError::Control));
        for spoof in ["Phone\u{202e}kooB", "\u{2066}x", "a\u{200f}b", "x\u{061c}"] {
            assert_eq!(
                required_line(spoof, 20),
                Err(LineError::Direction),
                "{spoof:?}"
            );
        }
        // Right-to-left scripts themselves are names like any other.
        assert_eq!(required_line("עדה", 10), Ok("עדה".into()));
        assert_eq!(
            LineError::Direction.message("device name"),
            "The device name cannot contain characters that change the direction of text (such as U+202E)."
        );
    }
}
