package sentencepiece

// suffixArray returns the suffix array of s (values ≥ 0) by induced
// sorting (SA-IS): linear time, and besides s and the result only a bit
// per symbol and two counters per distinct value; the recursion works
// inside the result array.
func suffixArray(s []int32) []int32 {
	sa := make([]int32, len(s))
	k := int32(0)
	for _, v := range s {
		k = max(k, v+1)
	}
	sais(s, sa, int(k))
	return sa
}

// sais writes the suffix array of s (values in [0, k)) into sa. The text
// ends with a virtual sentinel smaller than every symbol.
func sais(s, sa []int32, k int) {
	n := len(s)
	switch n {
	case 0:
		return
	case 1:
		sa[0] = 0
		return
	}
	// Bit i of typ is set when suffix i is S-type (smaller than suffix
	// i+1); the last suffix is L-type, as the sentinel follows it.
	typ := make([]uint64, (n+63)/64)
	isS := func(i int32) bool { return typ[i>>6]>>(i&63)&1 != 0 }
	for i := n - 2; i >= 0; i-- {
		if s[i] < s[i+1] || (s[i] == s[i+1] && isS(int32(i+1))) {
			typ[i>>6] |= 1 << (i & 63)
		}
	}
	isLMS := func(i int32) bool { return i > 0 && isS(i) && !isS(i-1) }
	cnt := make([]int32, k)
	for _, c := range s {
		cnt[c]++
	}
	bkt := make([]int32, k)
	heads := func() {
		sum := int32(0)
		for c, m := range cnt {
			bkt[c] = sum
			sum += m
		}
	}
	tails := func() {
		sum := int32(0)
		for c, m := range cnt {
			sum += m
			bkt[c] = sum
		}
	}
	// induce sorts all suffixes from the LMS suffixes already at the
	// ends of their buckets (the rest of sa is -1).
	induce := func() {
		heads()
		last := int32(n - 1) // follows the sentinel, which sorts first
		sa[bkt[s[last]]] = last
		bkt[s[last]]++
		for i := 0; i < n; i++ {
			if j := sa[i] - 1; j >= 0 && !isS(j) {
				sa[bkt[s[j]]] = j
				bkt[s[j]]++
			}
		}
		tails()
		for i := n - 1; i >= 0; i-- {
			if j := sa[i] - 1; j >= 0 && isS(j) {
				bkt[s[j]]--
				sa[bkt[s[j]]] = j
			}
		}
	}
	// 1. Sort the LMS substrings.
	for i := range sa {
		sa[i] = -1
	}
	tails()
	for i := int32(1); i < int32(n); i++ {
		if isLMS(i) {
			bkt[s[i]]--
			sa[bkt[s[i]]] = i
		}
	}
	induce()
	// 2. Name them: equal LMS substrings get equal names, in sorted order.
	m := 0
	for i := 0; i < n; i++ {
		if isLMS(sa[i]) {
			sa[m] = sa[i]
			m++
		}
	}
	for i := m; i < n; i++ {
		sa[i] = -1
	}
	equal := func(a, b int32) bool {
		for d := int32(0); ; d++ {
			if int(a+d) == n || int(b+d) == n {
				return false // only one of them reaches the sentinel
			}
			if s[a+d] != s[b+d] || isS(a+d) != isS(b+d) {
				return false
			}
			if d > 0 && (isLMS(a+d) || isLMS(b+d)) {
				return isLMS(a+d) && isLMS(b+d)
			}
		}
	}
	names := int32(0)
	prev := int32(-1)
	for i := 0; i < m; i++ {
		pos := sa[i]
		if prev < 0 || !equal(prev, pos) {
			names++
			prev = pos
		}
		sa[m+int(pos/2)] = names - 1 // LMS positions are at least 2 apart
	}
	// The names in text order form the reduced string s1, at the top of sa.
	j := n - 1
	for i := n - 1; i >= m; i-- {
		if sa[i] >= 0 {
			sa[j] = sa[i]
			j--
		}
	}
	s1, sa1 := sa[n-m:], sa[:m]
	// 3. Sort the LMS suffixes: recursively when names repeat.
	if int(names) < m {
		sais(s1, sa1, int(names))
	} else {
		for i, c := range s1 {
			sa1[c] = int32(i)
		}
	}
	j = 0
	for i := int32(1); i < int32(n); i++ {
		if isLMS(i) {
			s1[j] = i
			j++
		}
	}
	for i := range sa1 {
		sa1[i] = s1[sa1[i]]
	}
	// 4. Induce the whole array from the sorted LMS suffixes.
	for i := m; i < n; i++ {
		sa[i] = -1
	}
	tails()
	for i := m - 1; i >= 0; i-- {
		p := sa[i]
		sa[i] = -1
		bkt[s[p]]--
		sa[bkt[s[p]]] = p
	}
	induce()
}

// permutedLCP returns plcp[p] = the length of the longest common prefix
// of suffix p and the suffix before it in sa (0 for the first), by the Φ
// algorithm: linear time in one array of len(s).
func permutedLCP(s, sa []int32) []int32 {
	n := len(s)
	plcp := make([]int32, n)
	if n == 0 {
		return plcp
	}
	plcp[sa[0]] = -1
	for i := 1; i < n; i++ {
		plcp[sa[i]] = sa[i-1]
	}
	l := 0
	for i := 0; i < n; i++ {
		j := int(plcp[i]) // Φ(i): the suffix before i in sa
		if j < 0 {
			plcp[i] = 0
			l = 0
			continue
		}
		for i+l < n && j+l < n && s[i+l] == s[j+l] {
			l++
		}
		plcp[i] = int32(l)
		l = max(l-1, 0)
	}
	return plcp
}

// suffixIndex is the suffix array of s with its permuted LCP array.
type suffixIndex struct {
	s, sa, plcp []int32
}

func newSuffixIndex(s []int32) *suffixIndex {
	sa := suffixArray(s)
	releaseMemory() // the construction's scratch
	x := &suffixIndex{s, sa, permutedLCP(s, sa)}
	return x
}

// repeats calls fn for every internal node of the suffix tree of s, that
// is every lcp interval: a substring s[start:start+length] that occurs at
// least twice and is followed by at least two different symbols. count is
// the number of occurrences, or with weights the sum of weight(p) over
// the occurrence positions p. It holds s and two arrays of len(s).
func repeats(s []int32, weight func(p int32) int64, fn func(start, length int32, count int64)) {
	newSuffixIndex(s).repeats(weight, fn)
}

// repeats is the package-level repeats over the index's text.
func (x *suffixIndex) repeats(weight func(p int32) int64, fn func(start, length int32, count int64)) {
	sa, plcp := x.sa, x.plcp
	n := len(sa)
	if n < 2 {
		return
	}
	// Bottom-up traversal of the lcp intervals; each frame sums the
	// weights of the suffixes in its interval so far.
	type frame struct {
		lcp, lb int32
		count   int64
	}
	stack := []frame{{0, 0, 0}}
	for i := 1; i <= n; i++ {
		w := int64(1)
		if weight != nil {
			w = weight(sa[i-1])
		}
		cur := int32(0)
		if i < n {
			cur = plcp[sa[i]]
		}
		lb := int32(i - 1)
		acc := w // the weight of suffixes lb..i-1 not yet in a frame
		for cur < stack[len(stack)-1].lcp {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			top.count += acc
			fn(sa[top.lb], top.lcp, top.count)
			acc, lb = top.count, top.lb
		}
		if cur > stack[len(stack)-1].lcp {
			stack = append(stack, frame{cur, lb, acc})
		} else {
			stack[len(stack)-1].count += acc
		}
	}
}
