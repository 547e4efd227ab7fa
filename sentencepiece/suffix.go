package sentencepiece

import "runtime"

// suffixArray returns the suffix array of s (values ≥ 0) by prefix
// doubling with counting sorts: O(n log n) time, three int32 arrays of
// length n besides s.
func suffixArray(s []int32) []int32 {
	n := len(s)
	sa := make([]int32, n)
	if n == 0 {
		return sa
	}
	rank := make([]int32, n)
	tmp := make([]int32, n)
	// Initial ranks: the symbols, compressed to 0..k-1.
	maxv := int32(0)
	for _, v := range s {
		maxv = max(maxv, v)
	}
	present := make([]int32, maxv+1)
	for _, v := range s {
		present[v] = 1
	}
	k := int32(0)
	for v := range present {
		if present[v] != 0 {
			present[v] = k
			k++
		}
	}
	for i, v := range s {
		rank[i] = present[v]
	}
	present = nil
	cnt := make([]int32, max(int(k), n)+1)
	countSort := func(order []int32, keys int) {
		clear(cnt[:keys+1])
		for _, r := range rank {
			cnt[r+1]++
		}
		for i := 1; i <= keys; i++ {
			cnt[i] += cnt[i-1]
		}
		for _, i := range order {
			r := rank[i]
			sa[cnt[r]] = i
			cnt[r]++
		}
	}
	for i := range tmp {
		tmp[i] = int32(i)
	}
	countSort(tmp, int(k))
	keys := int(k)
	for step := 1; ; step <<= 1 {
		// Order by the second key (rank of i+step; missing sorts first),
		// then stably by the first.
		p := 0
		for i := n - step; i < n; i++ {
			if i >= 0 {
				tmp[p] = int32(i)
				p++
			}
		}
		for _, j := range sa {
			if int(j) >= step {
				tmp[p] = j - int32(step)
				p++
			}
		}
		countSort(tmp, keys)
		// New ranks into tmp.
		second := func(i int32) int32 {
			if int(i)+step < n {
				return rank[int(i)+step]
			}
			return -1
		}
		tmp[sa[0]] = 0
		r := int32(0)
		for i := 1; i < n; i++ {
			a, b := sa[i-1], sa[i]
			if rank[a] != rank[b] || second(a) != second(b) {
				r++
			}
			tmp[b] = r
		}
		rank, tmp = tmp, rank
		keys = int(r) + 1
		if keys == n {
			break
		}
	}
	return sa
}

// lcpArray returns lcp[i] = length of the longest common prefix of the
// suffixes sa[i-1] and sa[i] (lcp[0] = 0), by Kasai's algorithm.
func lcpArray(s, sa []int32) (lcp, inv []int32) {
	n := len(s)
	lcp = make([]int32, n)
	inv = make([]int32, n)
	for i, p := range sa {
		inv[p] = int32(i)
	}
	h := 0
	for i := 0; i < n; i++ {
		r := inv[i]
		if r == 0 {
			h = 0
			continue
		}
		j := int(sa[r-1])
		for i+h < n && j+h < n && s[i+h] == s[j+h] {
			h++
		}
		lcp[r] = int32(h)
		if h > 0 {
			h--
		}
	}
	return lcp, inv
}

// repeats calls fn for every internal node of the suffix tree of s, that
// is every lcp interval: a substring s[start:start+length] that occurs at
// least twice and is followed by at least two different symbols. count is
// the number of occurrences, or with weights the sum of weight[p] over
// the occurrence positions p, given as weight(p).
func repeats(s []int32, weight func(p int32) int64, fn func(start, length int32, count int64)) {
	n := len(s)
	sa := suffixArray(s)
	// The construction's scratch arrays (three times the size of sa) are
	// garbage now; collect them before the next arrays are allocated so
	// that peak memory stays near the live set.
	runtime.GC()
	lcp, _ := lcpArray(s, sa)
	if n < 2 {
		return
	}
	// prefix[k] = total weight of the first k suffixes in sorted order.
	prefix := make([]int64, n+1)
	for k, p := range sa {
		w := int64(1)
		if weight != nil {
			w = weight(p)
		}
		prefix[k+1] = prefix[k] + w
	}
	type frame struct{ lcp, lb int32 }
	stack := []frame{{0, 0}}
	for i := 1; i <= n; i++ {
		cur := int32(0)
		if i < n {
			cur = lcp[i]
		}
		lb := int32(i - 1)
		for cur < stack[len(stack)-1].lcp {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			fn(sa[top.lb], top.lcp, prefix[i]-prefix[top.lb])
			lb = top.lb
		}
		if cur > stack[len(stack)-1].lcp {
			stack = append(stack, frame{cur, lb})
		}
	}
}
