//! The codec of the generated service and client: prost's, plus the one
//! check prost cannot make.
//!
//! A protobuf `oneof` keeps the last of its fields on the wire and forgets
//! the others, so a GetEntity request carrying both `id` and `name` would be
//! answered by whichever came last. Generated clients cannot send both; a
//! hand-made one can, and deserves an error rather than a guess. The check
//! reads the message's top-level field tags before prost decodes it.

use std::any::TypeId;

use prost::bytes::Buf;
use prost::Message;
use tonic::codec::{BufferSettings, Codec, DecodeBuf, Decoder};
use tonic::Status;
use tonic_prost::{ProstCodec, ProstDecoder, ProstEncoder};

use crate::error::Error;
use crate::grpc::pb;

/// prost's codec with the oneof check on requests.
pub struct StrictCodec<T, U> {
    inner: ProstCodec<T, U>,
}

impl<T, U> Default for StrictCodec<T, U> {
    fn default() -> Self {
        StrictCodec {
            inner: ProstCodec::default(),
        }
    }
}

impl<T, U> Codec for StrictCodec<T, U>
where
    T: Message + Send + 'static,
    U: Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = ProstEncoder<T>;
    type Decoder = StrictDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        self.inner.encoder()
    }

    fn decoder(&mut self) -> Self::Decoder {
        StrictDecoder {
            inner: self.inner.decoder(),
        }
    }
}

/// See [`StrictCodec`].
pub struct StrictDecoder<U> {
    inner: ProstDecoder<U>,
}

impl<U: Message + Default + 'static> Decoder for StrictDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        if TypeId::of::<U>() == TypeId::of::<pb::GetEntityRequest>() {
            let tags = top_level_tags(buf.chunk());
            if tags.contains(&1) && tags.contains(&2) {
                return Err(Error::invalid(
                    "name",
                    "set only one of `id` and `name` (both were sent)",
                )
                .into());
            }
        }
        self.inner.decode(buf)
    }

    fn buffer_settings(&self) -> BufferSettings {
        self.inner.buffer_settings()
    }
}

/// Field numbers at the top level of an encoded message, in order, as far
/// as it parses (what does not parse is left to prost to report).
fn top_level_tags(mut bytes: &[u8]) -> Vec<u64> {
    fn varint(bytes: &mut &[u8]) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = bytes.split_first()?;
            *bytes = rest;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }
    let mut tags = Vec::new();
    while !bytes.is_empty() {
        let Some(key) = varint(&mut bytes) else { break };
        let skip = match key & 7 {
            0 => varint(&mut bytes).map(|_| 0),
            1 => Some(8),
            2 => varint(&mut bytes).and_then(|n| usize::try_from(n).ok()),
            5 => Some(4),
            _ => None,
        };
        let Some(skip) = skip.filter(|&n| n <= bytes.len()) else {
            break;
        };
        bytes = &bytes[skip..];
        tags.push(key >> 3);
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_of_an_encoded_message() {
        use pb::get_entity_request::Selector;
        let one = pb::GetEntityRequest {
            selector: Some(Selector::Name("Wei".into())),
        }
        .encode_to_vec();
        assert_eq!(top_level_tags(&one), [2]);
        let mut both = pb::GetEntityRequest {
            selector: Some(Selector::Id("person/x".into())),
        }
        .encode_to_vec();
        both.extend(one);
        assert_eq!(top_level_tags(&both), [1, 2]);
        let varints = pb::ListArticlesRequest {
            limit: 300,
            view: 2,
            ..Default::default()
        }
        .encode_to_vec();
        assert_eq!(top_level_tags(&varints), [2, 4]);
        // Truncated: what parses, then nothing.
        assert_eq!(top_level_tags(&both[..3]), Vec::<u64>::new());
    }
}
