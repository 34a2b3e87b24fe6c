"""Compact term dictionaries: each term's statistics in ~13 bytes instead of whoosh's 35, in a block file.

whoosh's W3 codec stores, for every term of a segment, a fixed struct (flags, total weight as a float,
document frequency, min/max length bytes, max weight, first and last docnum: 23 bytes) plus the postings'
offset and length (12 bytes), in a hash file with 36 more bytes per term (`searchkit.store.termfile`). At 10k
articles the term dictionary was 6.7 MB for 84.5k terms, a quarter of the index; most terms occur in one or
two documents, so those statistics are small whole numbers. Here they are varints (base-128, 1 byte below
128), the weights as whole numbers when they are (a frequency times boost 1.0; a float32 otherwise, as whoosh
stores them), the max weight left out when it equals the total (every term in one document), the last docnum
as its distance from the first; and the keys and term infos go into a `searchkit.store.termfile` block file.

Decoding gives exactly the values whoosh's ``W3TermInfo.from_bytes`` gives for the same term (weights are
float32 in both, lengths their byte codes), so scores and every statistic are unchanged. The readers here
implement whoosh's ``TermsReader`` and ``FieldCursor`` interfaces, so everything whoosh does with a term
dictionary -- look-ups, cursors (fuzzy terms), prefix and range iteration, merges -- works unchanged.
`searchkit.store.codec.SearchkitCodec3` writes and reads segments this way; segments of earlier codecs keep
whoosh's hash file and term infos.
"""
from __future__ import annotations

import struct

from whoosh.codec.base import FieldCursor, TermsReader
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3TermInfo
from whoosh.reading import TermNotFound
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from .termfile import BlockTermsReader, BlockTermsWriter, read_varint, varint

_FLOAT = struct.Struct("!f")
_W_FLOAT, _MW_FLOAT, _MW_SAME, _NO_IDS = 1, 2, 4, 8  # flag bits
_WHOOSH = 0xFF  # flag byte of a term info kept in whoosh's own layout (inlined postings: never written here)
_WHOLE = 1 << 24  # float32 holds every whole number below this exactly


def _whole(w: float) -> bool:
    return 0 <= w < _WHOLE and w == int(w)


def encode(ti: W3TermInfo) -> bytes:
    """The compact bytes of ``ti`` (any ``W3TermInfo``: the postings writers fill whoosh's class)."""
    if ti.is_inlined():
        return bytes((_WHOOSH,)) + W3TermInfo.to_bytes(ti)
    flags = 0
    weight, maxweight = ti._weight, ti._maxweight
    if _whole(weight):
        wbytes = varint(int(weight))
    else:
        flags, wbytes = flags | _W_FLOAT, _FLOAT.pack(weight)
    if _FLOAT.unpack(_FLOAT.pack(maxweight)) == _FLOAT.unpack(_FLOAT.pack(weight)):
        flags, mwbytes = flags | _MW_SAME, b""
    elif _whole(maxweight):
        mwbytes = varint(int(maxweight))
    else:
        flags, mwbytes = flags | _MW_FLOAT, _FLOAT.pack(maxweight)
    if ti._minid is None or ti._maxid is None:
        flags, ids = flags | _NO_IDS, b""
    else:
        ids = varint(ti._minid) + varint(ti._maxid - ti._minid)
    minlength = 0 if ti._minlength is None else length_to_byte(ti._minlength)
    offset, length = ti.extent()
    return b"".join((bytes((flags,)), wbytes, varint(ti._df), bytes((minlength, length_to_byte(ti._maxlength))),
                     mwbytes, ids, varint(offset), varint(length)))


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
            w, pos = read_varint(s, 1)
            ti._weight = float(w)
        ti._df, pos = read_varint(s, pos)
        ti._minlength, ti._maxlength = byte_to_length(s[pos]), byte_to_length(s[pos + 1])
        pos += 2
        if flags & _MW_SAME:
            ti._maxweight = ti._weight  # equal as float32, which is what whoosh gives back for both
        elif flags & _MW_FLOAT:
            ti._maxweight, pos = _FLOAT.unpack_from(s, pos)[0], pos + 4
        else:
            mw, pos = read_varint(s, pos)
            ti._maxweight = float(mw)
        if flags & _NO_IDS:
            ti._minid = ti._maxid = None
        else:
            ti._minid, pos = read_varint(s, pos)
            span, pos = read_varint(s, pos)
            ti._maxid = ti._minid + span
        ti._offset, pos = read_varint(s, pos)
        ti._length, pos = read_varint(s, pos)
        return ti


class CompactFieldWriter(W3FieldWriter):
    """whoosh's field writer with `encode`d term infos in a `BlockTermsWriter` term dictionary; `add_term` is
    the bulk builder's entry."""

    def __init__(self, codec, storage, segment):  # whoosh's, with the block term file
        self._codec, self._storage, self._segment = codec, storage, segment
        self._fieldname = self._fieldid = self._btext = self._fieldobj = self._format = None
        self._tindex = BlockTermsWriter(self._create_file(W3Codec.TERMS_EXT))
        self._fieldmap = self._tindex.extras["fieldmap"] = {}
        self._postfile = self._create_file(W3Codec.POSTS_EXT)
        self._postwriter = None
        self._infield = False
        self.is_closed = False

    def finish_term(self) -> None:
        self.add_term(self._btext, self._postwriter.finish_postings())

    def add_term(self, btext: bytes, terminfo: W3TermInfo) -> None:
        """File the finished term ``btext`` of the current field with its ``terminfo``."""
        self._tindex.add(pack_ushort(self._fieldid) + btext, encode(terminfo))


class CompactFieldCursor(FieldCursor):
    """whoosh's field cursor (first, find, next, text, term_info) over a `BlockTermsReader`."""

    def __init__(self, tindex: BlockTermsReader, fieldname: str, keycoder, fieldobj):
        self._tindex, self._fieldobj = tindex, fieldobj
        self._prefix = keycoder(fieldname, b"")
        self._keycoder = lambda tbytes: keycoder(fieldname, tbytes)
        self._at = self._key = self._value = None
        self.first()

    def _go(self, at) -> str | None:
        self._at = at
        if at is not None:
            key, value = self._tindex.entry(at)
            if key.startswith(self._prefix):
                self._key, self._value = key, value
                return self.text()
        self._at = self._key = self._value = None
        return None

    def first(self):
        return self._go(self._tindex.position(self._prefix))

    def find(self, term):
        if not isinstance(term, bytes):
            term = self._fieldobj.to_bytes(term)
        return self._go(self._tindex.position(self._keycoder(term)))

    def next(self):
        return self._go(self._tindex.after(self._at)) if self._at is not None else None

    def text(self):
        return None if self._key is None else self._fieldobj.from_bytes(self._key[len(self._prefix):])

    def term_info(self):
        return None if self._value is None else CompactTermInfo.from_bytes(self._value)

    def is_valid(self) -> bool:
        return self._at is not None


class CompactTermsReader(TermsReader):
    """whoosh's terms reader interface over a `BlockTermsReader` of `CompactTermInfo` values (keys as
    whoosh's: the field number as 2 bytes, then the term's bytes)."""

    terminfo_class = CompactTermInfo

    def __init__(self, codec, dbfile, length: int, postfile):
        self._codec, self._postfile = codec, postfile
        self._tindex = BlockTermsReader(dbfile, length)
        self._fieldmap = self._tindex.extras["fieldmap"]
        self._fieldunmap = {num: name for name, num in self._fieldmap.items()}

    def _keycoder(self, fieldname: str, tbytes: bytes) -> bytes:
        return pack_ushort(self._fieldmap.get(fieldname, 65535)) + tbytes

    def _keydecoder(self, key: bytes) -> tuple[str, bytes]:
        return self._fieldunmap[int.from_bytes(key[:2], "big")], key[2:]

    def __contains__(self, term) -> bool:
        return self._keycoder(*term) in self._tindex

    def indexed_field_names(self):
        return self._fieldmap.keys()

    def cursor(self, fieldname, fieldobj):
        return CompactFieldCursor(self._tindex, fieldname, self._keycoder, fieldobj)

    def terms(self):
        return (self._keydecoder(k) for k, _ in self._tindex.items_from())

    def terms_from(self, fieldname, prefix):
        return (self._keydecoder(k) for k, _ in self._tindex.items_from(self._keycoder(fieldname, prefix)))

    def items(self):
        decode = CompactTermInfo.from_bytes
        return ((self._keydecoder(k), decode(v)) for k, v in self._tindex.items_from())

    def items_from(self, fieldname, prefix):
        decode = CompactTermInfo.from_bytes
        return ((self._keydecoder(k), decode(v)) for k, v in self._tindex.items_from(self._keycoder(fieldname, prefix)))

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

    def matcher(self, fieldname, tbytes, format_, scorer=None):
        return self._codec.postings_reader(self._postfile, self.term_info(fieldname, tbytes), format_,
                                           term=(fieldname, tbytes), scorer=scorer)

    def close(self) -> None:
        self._tindex.close()
        self._postfile.close()


def terms_reader(codec, storage, segment) -> CompactTermsReader:
    """``W3Codec.terms_reader`` with `CompactTermsReader`."""
    tiname = segment.make_filename(W3Codec.TERMS_EXT)
    return CompactTermsReader(codec, storage.open_file(tiname), storage.file_length(tiname),
                              segment.open_file(storage, W3Codec.POSTS_EXT))
