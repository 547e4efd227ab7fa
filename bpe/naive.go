package bpe

// encodeNaive is the reference BPE the fast paths are tested against: it
// applies the model's semantics literally, with no whole-piece shortcut
// (except where the semantics demand one) and no cleverness. After the
// initial symbols, it repeatedly finds, over the current symbol list, the
// adjacent pair with the lowest merge priority (leftmost on ties), replaces
// it by the merged token, and stops when no pair merges.
func (m *Model) encodeNaive(piece []byte) []uint32 {
	if len(piece) == 0 {
		return nil
	}
	if id, ok := m.whole[string(piece)]; ok && (m.kind == rankKind || m.ignoreMerges) {
		return []uint32{id}
	}
	syms := m.appendInitialSymbols(nil, piece)
	for {
		best, bi := uint64(noMerge), -1
		for i := 0; i+1 < len(syms); i++ {
			if v := m.pairs.get(uint64(syms[i])<<32 | uint64(syms[i+1])); v < best {
				best, bi = v, i
			}
		}
		if bi < 0 {
			return syms
		}
		merged := append([]uint32{}, syms[:bi]...)
		merged = append(merged, uint32(best))
		syms = append(merged, syms[bi+2:]...)
	}
}
