"""The audit log: the events' Merkle tree (written with them by domain/store/tree.py), its
signed checkpoints and the witnesses' cosignatures, proofs, verification of the store, the
export, and the checks of the audit of before the tree. docs/AUDIT.md describes it whole;
the inspector's own tools (offline verification, the witness) are the package `inspector`."""
