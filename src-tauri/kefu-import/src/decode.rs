//! Exports come as GB18030/GBK (often labelled GBK or GB2312) or as UTF-8 with or without a
//! BOM. UTF-8 is tried first: GB18030 text is almost never valid UTF-8, while the reverse
//! guess would silently garble.

use std::borrow::Cow;

use crate::Error;

pub(crate) fn decode<'a>(file: &str, bytes: &'a [u8]) -> Result<Cow<'a, str>, Error> {
    if bytes.is_empty() {
        return Err(Error::Empty {
            file: file.to_owned(),
        });
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(body) {
        return Ok(Cow::Borrowed(s));
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") || bytes.contains(&0) {
        return Err(Error::NotAnExport {
            file: file.to_owned(),
            reason: "binary or UTF-16 data, not a CSV export".to_owned(),
        });
    }
    match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(body) {
        Some(s) => Ok(Cow::Owned(s.into_owned())),
        None => Err(Error::Encoding {
            file: file.to_owned(),
            offset: bad_offset(body),
        }),
    }
}

/// Where GB18030 decoding first fails, for the error message.
fn bad_offset(body: &[u8]) -> usize {
    let mut decoder = encoding_rs::GB18030.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(body.len() * 3);
    let (result, read) = decoder.decode_to_string_without_replacement(body, &mut out, true);
    match result {
        encoding_rs::DecoderResult::Malformed(bad, _) => read.saturating_sub(bad as usize),
        _ => read,
    }
}
