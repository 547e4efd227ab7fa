#include "textflag.h"

// func touchSlot(s *wholeSlot)
TEXT ·touchSlot(SB), NOSPLIT, $0-8
	MOVQ s+0(FP), AX
	PREFETCHT0 (AX)
	PREFETCHT0 47(AX) // the slot's end and the next slot (probing)
	RET

// func touchPair(s *pairSlot)
TEXT ·touchPair(SB), NOSPLIT, $0-8
	MOVQ s+0(FP), AX
	PREFETCHT0 (AX)
	RET
