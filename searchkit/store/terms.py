"""Compact term infos: the term dictionary's per-term statistics in ~13 bytes instead of whoosh's 35.

whoosh's W3 codec stores, for every term of a segment, a fixed struct (flags, total weight as a float,
document frequency, min/max length bytes, max weight, first and last docnum: 23 bytes) plus the postings'
offset and length (12 bytes), beside the key and the hash-table slots of its ``.trm`` file. At 10k articles the
term dictionary was 6.7 MB for 84.5k terms, a quarter of the index; most terms occur in one or two documents,
so those statistics are small whole numbers. Here they are varints (base-128, 1 byte below 128), the weights
as whole numbers when they are (a frequency times boost 1.0; a float32 otherwise, as whoosh stores them), the
max weight left out when it equals the total (every term in one document), the last docnum as its distance
from the first.

Decoding gives exactly the values whoosh's ``W3TermInfo.from_bytes`` gives for the same term (weights are
float32 in both, lengths their byte codes), so scores and every statistic are unchanged. The file layout (an
``OrderedHashWriter`` of key -> term info) is whoosh's; only the value bytes differ, so everything whoosh does
with a term dictionary -- look-ups, cursors, prefix and range iteration, merges -- goes through the readers
here unchanged. `searchkit.store.codec.SearchkitCodec3` writes and reads segments this way; segments of earlier
codecs keep whoosh's term infos.
"""
from __future__ import annotations

import struct

from whoosh.codec.whoosh3 import W3Codec, W3FieldCursor, W3FieldWriter, W3TermInfo, W3TermsReader
from whoosh.reading import TermNotFound
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

_FLOAT = struct.Struct("!f")
_W_FLOAT, _MW_FLOAT, _MW_SAME, _NO_IDS = 1, 2, 4, 8  # flag bits
_WHOOSH = 0xFF  # flag byte of a term info kept in whoosh's own layout (inlined postings: never written here)
_WHOLE = 1 << 24  # float32 holds every whole number below this exactly


def _varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _read_varint(b: bytes, pos: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        c = b[pos]
        pos += 1
        n |= (c & 0x7F) << shift
        if c < 0x80:
            return n, pos
        shift += 7


def _whole(w: float) -> bool:
    return 0 <= w < _WHOLE and w == int(w)


def encode(ti: W3TermInfo) -> bytes:
    """The compact bytes of ``ti`` (any ``W3TermInfo``: the postings writers fill whoosh's class)."""
    if ti.is_inlined():
        return bytes((_WHOOSH,)) + W3TermInfo.to_bytes(ti)
    flags = 0
    weight, maxweight = ti._weight, ti._maxweight
    if _whole(weight):
        wbytes = _varint(int(weight))
    else:
        flags, wbytes = flags | _W_FLOAT, _FLOAT.pack(weight)
    if _FLOAT.unpack(_FLOAT.pack(maxweight)) == _FLOAT.unpack(_FLOAT.pack(weight)):
        flags, mwbytes = flags | _MW_SAME, b""
    elif _whole(maxweight):
        mwbytes = _varint(int(maxweight))
    else:
        flags, mwbytes = flags | _MW_FLOAT, _FLOAT.pack(maxweight)
    if ti._minid is None or ti._maxid is None:
        flags, ids = flags | _NO_IDS, b""
    else:
        ids = _varint(ti._minid) + _varint(ti._maxid - ti._minid)
    minlength = 0 if ti._minlength is None else length_to_byte(ti._minlength)
    offset, length = ti.extent()
    return b"".join((bytes((flags,)), wbytes, _varint(ti._df), bytes((minlength, length_to_byte(ti._maxlength))),
                     mwbytes, ids, _varint(offset), _varint(length)))


class CompactTermInfo(W3TermInfo):
    """``W3TermInfo`` read from (and written as) the compact bytes of `encode`."""

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, s) -> "CompactTermInfo":
        s = bytes(s)
        flags = s[0]
        if flags == _WHOOSH:
            return super().from_bytes(s[1:])
        ti = cls()
        if flags & _W_FLOAT:
            ti._weight, pos = _FLOAT.unpack_from(s, 1)[0], 5
        else:
            w, pos = _read_varint(s, 1)
            ti._weight = float(w)
        ti._df, pos = _read_varint(s, pos)
        ti._minlength, ti._maxlength = byte_to_length(s[pos]), byte_to_length(s[pos + 1])
        pos += 2
        if flags & _MW_SAME:
            ti._maxweight = ti._weight  # equal as float32, which is what whoosh gives back for both
        elif flags & _MW_FLOAT:
            ti._maxweight, pos = _FLOAT.unpack_from(s, pos)[0], pos + 4
        else:
            mw, pos = _read_varint(s, pos)
            ti._maxweight = float(mw)
        if flags & _NO_IDS:
            ti._minid = ti._maxid = None
        else:
            ti._minid, pos = _read_varint(s, pos)
            span, pos = _read_varint(s, pos)
            ti._maxid = ti._minid + span
        ti._offset, pos = _read_varint(s, pos)
        ti._length, pos = _read_varint(s, pos)
        return ti


class CompactFieldWriter(W3FieldWriter):
    """whoosh's field writer with `encode`d term infos; `add_term` is the bulk builder's entry."""

    def finish_term(self) -> None:
        self.add_term(self._btext, self._postwriter.finish_postings())

    def add_term(self, btext: bytes, terminfo: W3TermInfo) -> None:
        """File the finished term ``btext`` of the current field with its ``terminfo``."""
        self._tindex.add(pack_ushort(self._fieldid) + btext, encode(terminfo))


class CompactFieldCursor(W3FieldCursor):
    def term_info(self):
        if self._pos is None:
            return None
        return CompactTermInfo.from_bytes(self._tindex.dbfile.get(self._datapos, self._datalen))


class CompactTermsReader(W3TermsReader):
    """whoosh's terms reader decoding `CompactTermInfo` (every method of whoosh's that decodes a term info)."""

    terminfo_class = CompactTermInfo

    def cursor(self, fieldname, fieldobj):
        return CompactFieldCursor(self._tindex, fieldname, self._keycoder, self._keydecoder, fieldobj)

    def items(self):
        decode, keydecoder = CompactTermInfo.from_bytes, self._keydecoder
        return ((keydecoder(k), decode(v)) for k, v in self._tindex.items())

    def items_from(self, fieldname, prefix):
        decode, keydecoder = CompactTermInfo.from_bytes, self._keydecoder
        return ((keydecoder(k), decode(v)) for k, v in self._tindex.items_from(self._keycoder(fieldname, prefix)))

    def _info(self, fieldname, tbytes) -> CompactTermInfo:
        """The term's info; KeyError when the segment lacks it (whoosh's readers count that as 0)."""
        return CompactTermInfo.from_bytes(self._tindex[self._keycoder(fieldname, tbytes)])

    def term_info(self, fieldname, tbytes):
        try:
            return self._info(fieldname, tbytes)
        except KeyError:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}") from None

    def frequency(self, fieldname, tbytes):
        return self._info(fieldname, tbytes).weight()

    def doc_frequency(self, fieldname, tbytes):
        return self._info(fieldname, tbytes).doc_frequency()


def terms_reader(codec, storage, segment) -> CompactTermsReader:
    """``W3Codec.terms_reader`` with `CompactTermsReader`."""
    tiname = segment.make_filename(W3Codec.TERMS_EXT)
    return CompactTermsReader(codec, storage.open_file(tiname), storage.file_length(tiname),
                              segment.open_file(storage, W3Codec.POSTS_EXT))
