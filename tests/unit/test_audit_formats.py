"""Our Merkle tree, proofs, signed notes and cosignatures checked by implementations that are
not ours: RFC 6962 test vectors (certificate-transparency), pymerkle, Go's sumdb/note vector,
and pycryptodome's Ed25519."""
import base64
import warnings

import pytest
from Crypto.Signature import eddsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from inspector import merkle
from inspector.note import (
    COSIGNATURE_V1,
    Checkpoint,
    Note,
    NoteError,
    Proof,
    Signer,
    Verifier,
    cosigned_message,
    open_checkpoint,
)

# The leaves and roots of the RFC 6962 test data (certificate-transparency, merkle tests).
LEAVES = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43",
          bytes(range(0x50, 0x58)), bytes(range(0x60, 0x70))]
ROOTS = """6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d
fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125
aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77
d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7
4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4
76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef
ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c
5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328""".split()
CONSISTENCY = {  # (old, new) → proof, from the same test data
    (1, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (6, 8): ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 5): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
}

# Go's golang.org/x/mod/sumdb/note example: a signer key, its verifier key and the note.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_NOTE = GO_TEXT + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
# A cosignature (type 0x04) verifier key of transparency-dev/formats' tests; its base64 has a '+'.
PLUS_KEY = "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6"
COSIGNER_KEY = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"


def stored_nodes(hashes):
    nodes, frontier = {}, merkle.Frontier()
    for h in hashes:
        for level, index, node in frontier.append(h):
            nodes[(level, index)] = node
    return lambda level, index: nodes[(level, index)]


def test_roots_are_those_of_the_rfc_6962_test_vectors():
    hashes = [merkle.leaf_hash(leaf) for leaf in LEAVES]
    assert merkle.root_of([]) == bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    for size in range(1, 9):
        assert merkle.root_of(hashes[:size]).hex() == ROOTS[size - 1]
        assert merkle.subtree_hash(stored_nodes(hashes), 0, size).hex() == ROOTS[size - 1]


@pytest.mark.parametrize("old, new", sorted(CONSISTENCY))
def test_consistency_proofs_are_those_of_the_rfc_6962_test_vectors(old, new):
    get = stored_nodes([merkle.leaf_hash(leaf) for leaf in LEAVES])
    proof = merkle.consistency_proof(get, old, new)
    assert [h.hex() for h in proof] == CONSISTENCY[(old, new)]
    old_root, new_root = bytes.fromhex(ROOTS[old - 1]), bytes.fromhex(ROOTS[new - 1])
    assert merkle.verify_consistency(old, new, old_root, new_root, proof)
    assert not merkle.verify_consistency(old, new, new_root, old_root, proof)


def test_roots_and_inclusion_proofs_agree_with_pymerkle():
    from pymerkle import InmemoryTree
    from pymerkle import verify_inclusion as pymerkle_verify

    entries = [f"kegiatan {i}".encode() for i in range(37)]
    tree = InmemoryTree(algorithm="sha256")
    for entry in entries:
        tree.append_entry(entry)
    hashes = [merkle.leaf_hash(entry) for entry in entries]
    get = stored_nodes(hashes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for size in range(1, 38):
            root = tree.get_state(size)
            assert merkle.root_of(hashes[:size]) == root
            for index in range(size):
                theirs = tree.prove_inclusion(index + 1, size)
                ours = merkle.inclusion_proof(get, index, size)
                assert [bytes.fromhex(h) for h in theirs.serialize()["path"]][1:] == ours
                pymerkle_verify(hashes[index], root, theirs)
                assert merkle.verify_inclusion(index, size, hashes[index], ours, root)
            for old in range(1, size):  # our consistency proofs verify against pymerkle's roots
                proof = merkle.consistency_proof(get, old, size)
                assert merkle.verify_consistency(old, size, tree.get_state(old), root, proof)


def test_a_tampered_proof_or_a_wrong_root_does_not_verify():
    hashes = [merkle.leaf_hash(bytes([i])) for i in range(11)]
    get = stored_nodes(hashes)
    root = merkle.root_of(hashes)
    proof = merkle.inclusion_proof(get, 4, 11)
    assert merkle.verify_inclusion(4, 11, hashes[4], proof, root)
    assert not merkle.verify_inclusion(5, 11, hashes[4], proof, root)
    assert not merkle.verify_inclusion(4, 11, hashes[4], proof[:-1], root)
    assert not merkle.verify_inclusion(4, 11, hashes[4], [bytes(32)] + proof[1:], root)
    consistency = merkle.consistency_proof(get, 5, 11)
    assert not merkle.verify_consistency(5, 11, hashes[0], root, consistency)


def go_signer() -> Signer:
    name, hex_id, material = GO_SKEY.split("+", 4)[2:]
    seed = base64.b64decode(material)[1:]
    return Signer(name, Ed25519PrivateKey.from_private_bytes(seed))


def test_our_note_signature_is_byte_for_byte_gos():
    signer = go_signer()
    assert signer.verifier.vkey == GO_VKEY
    assert GO_TEXT + "\n" + signer.sign_note(GO_TEXT) == GO_NOTE
    note = Note.parse(GO_NOTE)
    assert note.verified_by([Verifier.parse(GO_VKEY)]) == [Verifier.parse(GO_VKEY)]
    with pytest.raises(NoteError, match="tidak sah"):
        Note.parse(GO_NOTE.replace("cryptography", "cryptographY")).verified_by([Verifier.parse(GO_VKEY)])


def test_verifier_keys_of_other_implementations_parse_and_bad_ones_do_not():
    assert Verifier.parse(PLUS_KEY).kind == 0x01
    assert Verifier.parse(COSIGNER_KEY).kind == COSIGNATURE_V1
    for bad in (GO_VKEY.replace("c74f20a3", "c74f20a4"), GO_VKEY[:-2], "name+deadbeef", "a b+c74f20a3+AA=="):
        with pytest.raises(NoteError):
            Verifier.parse(bad)


def test_checkpoints_and_cosignatures_verify_with_pycryptodome():
    """The log's note signature and a witness's cosignature/v1, checked by another Ed25519."""
    log = Signer("jemberkab.go.id/prokopim/iku", Ed25519PrivateKey.generate())
    witness = Signer("inspektorat.example/witness", Ed25519PrivateKey.generate(), COSIGNATURE_V1)
    body = Checkpoint("jemberkab.go.id/prokopim/iku", 37, bytes(range(32))).body
    note = body + "\n" + log.sign_note(body) + witness.cosign(body, timestamp=1_700_000_000)
    parsed = Note.parse(note)
    log_raw, witness_raw = (base64.b64decode(s.line.split(" ")[2]) for s in parsed.signatures)
    eddsa.new(_pycryptodome_key(log), "rfc8032").verify(body.encode(), log_raw[4:])
    assert log_raw[:4] == log.verifier.key_id
    assert witness_raw[4:12] == (1_700_000_000).to_bytes(8, "big")
    eddsa.new(_pycryptodome_key(witness), "rfc8032").verify(
        b"cosignature/v1\ntime 1700000000\n" + body.encode(), witness_raw[12:])
    assert cosigned_message(body, 1_700_000_000) == b"cosignature/v1\ntime 1700000000\n" + body.encode()
    assert parsed.cosigned_by([witness.verifier]) == {"inspektorat.example/witness": 1_700_000_000}
    opened, checkpoint = open_checkpoint(note, [log.verifier])
    assert checkpoint.size == 37 and checkpoint.root == bytes(range(32))
    with pytest.raises(NoteError, match="tidak ditandatangani kunci log tepercaya"):
        open_checkpoint(note, [Signer("jemberkab.go.id/prokopim/iku", Ed25519PrivateKey.generate()).verifier])


def _pycryptodome_key(signer: Signer):
    return eddsa.import_public_key(signer.verifier.public)


def test_a_tlog_proof_round_trips_in_the_c2sp_layout():
    proof = Proof(73894, (bytes(32), bytes(range(32))), "example.com/log\n1\nAAAA\n\n\u2014 example.com/log AAAAAAAA\n")
    text = str(proof)
    assert text.startswith("c2sp.org/tlog-proof@v1\nindex 73894\n" + base64.b64encode(bytes(32)).decode() + "\n")
    assert Proof.parse(text) == proof
    for bad in ("c2sp.org/tlog-proof@v2\nindex 1\n\nx", "c2sp.org/tlog-proof@v1\nindex 01\n\nx", "garbage"):
        with pytest.raises(NoteError):
            Proof.parse(bad)


@pytest.mark.parametrize("digits", ["\u00b2", "\u0662", "\uff12"])
def test_only_ascii_digits_make_a_size_or_an_index(digits):
    with pytest.raises(NoteError):
        Checkpoint.parse(f"example.com/log\n{digits}\n{base64.b64encode(bytes(32)).decode()}\n")
    with pytest.raises(NoteError):
        Proof.parse(f"c2sp.org/tlog-proof@v1\nindex {digits}\n\nx")


def test_a_receipt_with_deeply_nested_extra_data_is_refused_by_name():
    from inspector.receipt import ReceiptRefused, verify_receipt

    log = Signer("example.com/log", Ed25519PrivateKey.generate())
    body = Checkpoint("example.com/log", 1, bytes(32)).body
    proof = Proof(0, (), body + "\n" + log.sign_note(body), b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(ReceiptRefused):
        verify_receipt(str(proof), [log.verifier])


from hypothesis import given, settings
from hypothesis import strategies as st


@settings(max_examples=300, deadline=None)
@given(actor=st.text(max_size=40), notes=st.text(max_size=40), extra=st.booleans())
def test_the_actor_is_read_quickly_as_a_whole_decode_reads_it(actor, notes, extra):
    """actor_of reads the service's events without decoding them whole: never otherwise than
    the whole decode would (escapes, a second "actor", non-ASCII names all fall back)."""
    import json

    from inspector.leaves import actor_of

    event = {"timestamp": {"_type_": "datetime_iso", "_data_": "2026-12-07T10:00:00+00:00"}, "actor": actor,
             "notes": notes}
    state = json.dumps(event, separators=(",", ":"), ensure_ascii=extra).encode()
    if extra:
        state = state[:-1] + b',"nested":{"actor":"x"}}'
    assert actor_of(state) == json.loads(state)["actor"]


def test_the_services_fast_seal_is_the_same_bytes_as_the_inspectors():
    """The service seals with libsodium, the inspector verifies with `cryptography`: Ed25519
    is deterministic, so both give the same signature of the same message."""
    import os

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from inspector.note import Signer
    from inspector.seal import Sealer, check
    from projections.audit.seals import fast_sign

    signer = Signer("jemberkab.go.id/prokopim/iku", Ed25519PrivateKey.generate())
    slow = Sealer(signer, signer.name, 7)
    fast = Sealer(signer, signer.name, 7, sign=fast_sign(signer.key))
    for _ in range(20):
        leaf = os.urandom(32)
        assert fast.seal(leaf) == slow.seal(leaf)
        assert check(fast.seal(leaf), leaf, signer.name, [signer.verifier]) == 7
