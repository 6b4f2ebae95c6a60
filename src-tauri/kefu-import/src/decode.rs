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
    if binary(bytes) {
        return Err(Error::NotAnExport {
            file: file.to_owned(),
            reason: "binary or UTF-16 data, not a CSV export".to_owned(),
        });
    }
    match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(body) {
        Some(s) => Ok(Cow::Owned(s.into_owned())),
        None => {
            let offset = bad_offset(body);
            let before = body.get(..offset).unwrap_or(body);
            Err(Error::Encoding {
                file: file.to_owned(),
                line: 1 + before.iter().filter(|b| **b == b'\n').count() as u64,
                offset: offset + (bytes.len() - body.len()),
            })
        }
    }
}

/// UTF-16 (by its byte-order mark) or anything with a NUL byte: not a CSV export.
fn binary(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") || bytes.contains(&0)
}

/// `decode` of a file split at the line break before `at`, each half decoded on its own
/// thread. Same encoding choice and same errors as decoding the whole: a line break never
/// falls inside a character in either encoding, so the halves decode as the whole would.
pub(crate) fn decode_in_two<'a>(
    file: &str,
    bytes: &'a [u8],
    at: usize,
) -> Result<(Cow<'a, str>, Cow<'a, str>), Error> {
    let start = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let (Some(first), Some(second)) = (bytes.get(start..at), bytes.get(at..)) else {
        return Ok((decode(file, bytes)?, Cow::Borrowed("")));
    };
    if let (Ok(a), Ok(b)) = (std::str::from_utf8(first), std::str::from_utf8(second)) {
        return Ok((Cow::Borrowed(a), Cow::Borrowed(b)));
    }
    if !binary(bytes) {
        let gb = |part: &[u8]| {
            encoding_rs::GB18030
                .decode_without_bom_handling_and_without_replacement(part)
                .map(Cow::into_owned)
        };
        let (a, b) = std::thread::scope(|s| {
            let b = s.spawn(|| gb(second));
            (gb(first), b.join())
        });
        if let (Some(a), Ok(Some(b))) = (a, b) {
            return Ok((Cow::Owned(a), Cow::Owned(b)));
        }
    }
    // Not text in either encoding: decoding the whole says what is wrong and where.
    Ok((decode(file, bytes)?, Cow::Borrowed("")))
}

/// Where GB18030 decoding first fails, for the error message: decoded through one small
/// buffer, reused, so that a large file is not held again as text.
fn bad_offset(body: &[u8]) -> usize {
    let mut decoder = encoding_rs::GB18030.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(64 * 1024);
    let mut at = 0;
    loop {
        out.clear();
        let rest = body.get(at..).unwrap_or_default();
        let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut out, true);
        match result {
            // `read` counts the bad bytes and those read after them.
            encoding_rs::DecoderResult::Malformed(bad, after) => {
                return (at + read).saturating_sub(bad as usize + after as usize)
            }
            encoding_rs::DecoderResult::OutputFull => at += read,
            encoding_rs::DecoderResult::InputEmpty => return body.len(),
        }
    }
}
