//! How server functions' answers travel: JSON, read from text.
//!
//! server_fn's own `Json` reads an answer with `serde_json::from_slice`, while Leptos reads
//! every island's props with `serde_json::from_str`. The two readers are two copies of
//! serde_json's parser in the browser's WASM, and of the decoder of every type that is both
//! an island's props and a server function's answer (an account's page, refetched after a
//! change). Every server function answers through [`Json`] here, and errors too
//! ([`crate::error::AppError`]), so the browser keeps one of each.

use leptos::server_fn::codec::{JsonEncoding, Post};
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// JSON in a `POST` answer, decoded from its text. Use as `#[server(output = Json)]`.
pub type Json = Post<JsonText>;

pub struct JsonText;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    /// Written as server_fn's own `Json` writes it; only the reading differs.
    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        <JsonEncoding as Encodes<T>>::encode(output)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde::de::Error::custom)?;
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Answer {
        name: String,
        count: u32,
    }

    #[test]
    fn an_answer_reads_back_as_it_was_written() {
        let answer = Answer {
            name: "Zoë \u{201c}quoted\u{201d}".into(),
            count: 3,
        };
        let bytes = <JsonText as Encodes<Answer>>::encode(&answer).unwrap();
        assert_eq!(
            std::str::from_utf8(&bytes).unwrap(),
            r#"{"name":"Zoë “quoted”","count":3}"#
        );
        let read: Answer = <JsonText as Decodes<Answer>>::decode(bytes).unwrap();
        assert_eq!(read, answer);
    }

    #[test]
    fn an_answer_that_is_not_text_is_an_error() {
        let bytes = Bytes::from_static(b"\"\xff\"");
        assert!(<JsonText as Decodes<String>>::decode(bytes).is_err());
    }
}
