package payment

// ContainsPAN reports whether s holds what may be a card number (a primary
// account number): 12 to 19 digits that pass Luhn and begin with a prefix of a
// network cardflow knows, in a length that network issues (the IIN table of
// DetectBrand), written
//
//   - as one run of digits, not part of a longer one ("o-4242424242424242"), or
//   - in the groups cards are printed in, each pair of groups apart by one
//     space, dash, dot, underscore or slash: fours with a last group of 1 to 4
//     ("4242-4242-4242-4242", "6011 0009 9013 9424"), or American Express's
//     and Diners' 4-6-5 and 4-6-4 ("3782 822463 10005").
//
// It guards ids that Temporal stores unencrypted (workflow ids, search
// attributes, update ids). Luhn alone passes one in ten digit runs of a card's
// length, so it would refuse one id in ten that carries a millisecond or
// nanosecond time stamp ("o-1796194705568389987"); the network prefix keeps
// those, as it keeps digits grouped in other ways ("2026-11-21-000123") and
// runs of more than 19 digits. Every number a processor would take as a card
// is found.
func ContainsPAN(s string) bool {
	var groups []panGroup // the chain of groups that ends at the current run
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		g := panGroup{i, j}
		if len(groups) == 0 || !joined(s, groups[len(groups)-1], g) {
			groups = groups[:0]
		}
		groups = append(groups, g)
		if endsInPAN(s, groups) {
			return true
		}
		i = j
	}
	return false
}

// panGroup is s[start:end], a maximal run of digits.
type panGroup struct{ start, end int }

func (g panGroup) len() int { return g.end - g.start }

// joined reports whether b follows a after exactly one separator.
func joined(s string, a, b panGroup) bool {
	if b.start != a.end+1 {
		return false
	}
	switch s[a.end] {
	case ' ', '-', '.', '_', '/':
		return true
	}
	return false
}

// endsInPAN reports whether the last group of the chain, alone or with the
// groups before it in a card's layout, is a card number.
func endsInPAN(s string, chain []panGroup) bool {
	last := len(chain) - 1
	if n := chain[last].len(); n >= 12 && n <= 19 && cardNumber(s[chain[last].start:chain[last].end]) {
		return true
	}
	total := chain[last].len()
	for first := last - 1; first >= 0; first-- {
		if total += chain[first].len(); total > 19 {
			return false
		}
		if !cardLayout(chain[first:]) {
			continue
		}
		var digits [19]byte
		n := 0
		for _, g := range chain[first:] {
			n += copy(digits[n:], s[g.start:g.end])
		}
		if cardNumber(string(digits[:n])) {
			return true
		}
	}
	return false
}

// cardLayout reports whether groups (two or more) are laid out as cards print
// their numbers, 12 to 19 digits in all.
func cardLayout(groups []panGroup) bool {
	n := 0
	for _, g := range groups {
		n += g.len()
	}
	if n < 12 || n > 19 {
		return false
	}
	if len(groups) == 3 && groups[0].len() == 4 && groups[1].len() == 6 && (groups[2].len() == 5 || groups[2].len() == 4) {
		return true // American Express 4-6-5, Diners 4-6-4
	}
	for _, g := range groups[:len(groups)-1] {
		if g.len() != 4 {
			return false
		}
	}
	return groups[len(groups)-1].len() <= 4
}

// cardNumber reports whether digits pass Luhn and are a number of a known
// network in a length it issues.
func cardNumber(digits string) bool {
	r, ok := lookupIIN(digits)
	return ok && r.validLength(len(digits)) && Luhn(digits)
}
