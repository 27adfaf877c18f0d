//! The lib0 binary encoding that Yjs and y-protocols use on the wire.
//!
//! Check-then-parse: every read first checks that the bytes it needs are there, and every length
//! read from the wire is compared with the bytes that remain *before* anything is allocated, so a
//! few hostile bytes can never promise a gigabyte.

use thiserror::Error;

/// Why a lib0 read failed. Carries the offset so logs can point at the byte.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// The input ended inside a value; the offset where it ended.
    #[error("unexpected end of message at byte {0}")]
    UnexpectedEnd(usize),
    /// A varint longer than a u64 can hold; the offset where it started.
    #[error("variable-length integer too long at byte {0}")]
    VarIntOverflow(usize),
    /// A length prefix promises more bytes than the input has.
    #[error("length {len} at byte {at} is larger than the {remaining} bytes that remain")]
    LengthExceedsInput {
        /// The offset of the length prefix.
        at: usize,
        /// The length it promises.
        len: u64,
        /// The bytes left after it.
        remaining: usize,
    },
    /// A string that is not UTF-8; the offset where it started.
    #[error("string at byte {0} is not valid UTF-8")]
    InvalidUtf8(usize),
    /// Anything else wrong with the input, in words.
    #[error("{0}")]
    Invalid(String),
}

/// The largest integer lib0 writes: JavaScript's `Number.MAX_SAFE_INTEGER`.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A cursor over a borrowed message.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    /// The offset of the next byte to read.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// How many bytes are left.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// Whether every byte was read.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        &self.bytes[self.pos..]
    }

    /// Reads one byte.
    pub fn read_u8(&mut self) -> Result<u8, DecodeError> {
        let byte = *self
            .bytes
            .get(self.pos)
            .ok_or(DecodeError::UnexpectedEnd(self.pos))?;
        self.pos += 1;
        Ok(byte)
    }

    /// Reads the next `len` bytes, borrowed from the input.
    pub fn read_exact(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        if len > self.remaining() {
            return Err(DecodeError::LengthExceedsInput {
                at: self.pos,
                len: len as u64,
                remaining: self.remaining(),
            });
        }
        let slice = &self.bytes[self.pos..self.pos + len];
        self.pos += len;
        Ok(slice)
    }

    /// An unsigned LEB128 integer of at most 64 bits (lib0 `readVarUint`).
    pub fn read_var_u64(&mut self) -> Result<u64, DecodeError> {
        let start = self.pos;
        let mut value: u64 = 0;
        let mut shift = 0u32;
        loop {
            let byte = self.read_u8()?;
            if shift == 63 && byte > 1 {
                return Err(DecodeError::VarIntOverflow(start));
            }
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
            if shift > 63 {
                return Err(DecodeError::VarIntOverflow(start));
            }
        }
    }

    /// A `readVarUint` that must fit in 32 bits (clocks and lengths in yrs are `u32`).
    pub fn read_var_u32(&mut self) -> Result<u32, DecodeError> {
        let at = self.pos;
        let value = self.read_var_u64()?;
        u32::try_from(value).map_err(|_| DecodeError::VarIntOverflow(at))
    }

    /// A signed lib0 `readVarInt`: the first byte holds a sign bit and 6 value bits.
    pub fn read_var_i64(&mut self) -> Result<i64, DecodeError> {
        let start = self.pos;
        let first = self.read_u8()?;
        let negative = first & 0x40 != 0;
        let mut value = u64::from(first & 0x3f);
        let mut shift = 6u32;
        let mut more = first & 0x80 != 0;
        while more {
            let byte = self.read_u8()?;
            if shift > 63 || (shift == 62 && byte & 0x7f > 1) {
                return Err(DecodeError::VarIntOverflow(start));
            }
            value |= u64::from(byte & 0x7f) << shift;
            more = byte & 0x80 != 0;
            shift += 7;
        }
        let magnitude = i64::try_from(value).map_err(|_| DecodeError::VarIntOverflow(start))?;
        Ok(if negative { -magnitude } else { magnitude })
    }

    /// A length prefix that must not exceed the bytes that remain, each item taking at least
    /// `min_item_size` bytes. Checked before the caller allocates anything for it.
    pub fn read_len(&mut self, min_item_size: usize) -> Result<usize, DecodeError> {
        let at = self.pos;
        let len = self.read_var_u64()?;
        let needed = len.saturating_mul(min_item_size as u64);
        if needed > self.remaining() as u64 {
            return Err(DecodeError::LengthExceedsInput {
                at,
                len,
                remaining: self.remaining(),
            });
        }
        Ok(len as usize)
    }

    /// lib0 `readVarUint8Array`: a length-prefixed byte string.
    pub fn read_var_bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let len = self.read_len(1)?;
        self.read_exact(len)
    }

    /// lib0 `readVarString`: length-prefixed UTF-8.
    pub fn read_var_string(&mut self) -> Result<&'a str, DecodeError> {
        let at = self.pos;
        let bytes = self.read_var_bytes()?;
        std::str::from_utf8(bytes).map_err(|_| DecodeError::InvalidUtf8(at))
    }
}

/// An append-only lib0 writer.
#[derive(Debug, Default, Clone)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty writer with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            buf: Vec::with_capacity(capacity),
        }
    }

    /// Appends one byte.
    pub fn write_u8(&mut self, byte: u8) -> &mut Self {
        self.buf.push(byte);
        self
    }

    /// Appends a lib0 varint.
    pub fn write_var_u64(&mut self, mut value: u64) -> &mut Self {
        while value > 0x7f {
            self.buf.push(0x80 | (value as u8 & 0x7f));
            value >>= 7;
        }
        self.buf.push(value as u8);
        self
    }

    /// Appends a length-prefixed byte string.
    pub fn write_var_bytes(&mut self, bytes: &[u8]) -> &mut Self {
        self.write_var_u64(bytes.len() as u64);
        self.buf.extend_from_slice(bytes);
        self
    }

    /// Appends a length-prefixed UTF-8 string.
    pub fn write_var_string(&mut self, text: &str) -> &mut Self {
        self.write_var_bytes(text.as_bytes())
    }

    /// Appends bytes as they are, without a length.
    pub fn write_raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(bytes);
        self
    }

    /// The bytes written so far.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn var_uint_round_trips_known_vectors() {
        let cases: &[(u64, &[u8])] = &[
            (0, &[0x00]),
            (1, &[0x01]),
            (127, &[0x7f]),
            (128, &[0x80, 0x01]),
            (300, &[0xac, 0x02]),
            (
                MAX_SAFE_INTEGER,
                &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f],
            ),
        ];
        for (value, bytes) in cases {
            let mut w = Writer::new();
            w.write_var_u64(*value);
            assert_eq!(w.into_bytes(), *bytes, "encoding {value}");
            assert_eq!(Reader::new(bytes).read_var_u64().unwrap(), *value);
        }
    }

    #[test]
    fn var_int_reads_lib0_signed_vectors() {
        // lib0 writeVarInt(-1) = 0x41, writeVarInt(64) = 0x80 0x01, writeVarInt(-100) = 0xe4 0x01
        assert_eq!(Reader::new(&[0x41]).read_var_i64().unwrap(), -1);
        assert_eq!(Reader::new(&[0x80, 0x01]).read_var_i64().unwrap(), 64);
        assert_eq!(Reader::new(&[0xe4, 0x01]).read_var_i64().unwrap(), -100);
    }

    #[test]
    fn overlong_var_uint_is_refused() {
        let bytes = [0xff; 11];
        assert!(matches!(
            Reader::new(&bytes).read_var_u64(),
            Err(DecodeError::VarIntOverflow(0))
        ));
    }

    #[test]
    fn length_larger_than_input_is_refused_before_allocation() {
        // promises 2^40 bytes, delivers 3
        let mut w = Writer::new();
        w.write_var_u64(1 << 40).write_raw(b"abc");
        let bytes = w.into_bytes();
        let err = Reader::new(&bytes).read_var_bytes().unwrap_err();
        assert!(matches!(err, DecodeError::LengthExceedsInput { .. }));
    }

    #[test]
    fn invalid_utf8_is_refused() {
        assert_eq!(
            Reader::new(&[0x02, 0xc3, 0x28]).read_var_string(),
            Err(DecodeError::InvalidUtf8(0))
        );
    }

    #[test]
    fn truncated_input_is_refused() {
        assert_eq!(
            Reader::new(&[0x80]).read_var_u64(),
            Err(DecodeError::UnexpectedEnd(1))
        );
    }
}
