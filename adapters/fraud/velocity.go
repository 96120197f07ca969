package fraud

import (
	"container/list"
	"sync"
	"time"
)

// velocity remembers which cards each customer tried recently, across orders:
// card testing spreads stolen numbers over many orders of one customer
// account. The memory is the worker's, in process and bounded
// (Config.MaxCustomers customers, least recently seen dropped first; at most
// maxCardsPerCustomer cards each), and does not survive a restart: it is a
// heuristic on top of the durable defences (the workflow's limit on declined
// attempts, its own count of an order's cards), and several workers each
// count what they screened. A shared memory belongs to a real fraud service.
type velocity struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	order  *list.List // of *customerCards, most recently seen first
	byID   map[string]*list.Element
}

// maxCardsPerCustomer bounds one customer's memory: beyond it the rule has
// long since scored.
const maxCardsPerCustomer = 32

type customerCards struct {
	id    string
	cards map[string]time.Time // fingerprint → last seen
}

func newVelocity(max int, window time.Duration) *velocity {
	return &velocity{max: max, window: window, order: list.New(), byID: map[string]*list.Element{}}
}

// see records that customer tried card at t and answers how many distinct
// cards the customer tried within the window before t, this one included.
// Recording is idempotent: a retried screen counts the card once.
func (v *velocity) see(customer, card string, t time.Time) int {
	if v == nil || v.max <= 0 || customer == "" {
		return 0
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	var c *customerCards
	if e, ok := v.byID[customer]; ok {
		v.order.MoveToFront(e)
		c = e.Value.(*customerCards)
	} else {
		c = &customerCards{id: customer, cards: map[string]time.Time{}}
		v.byID[customer] = v.order.PushFront(c)
		for v.order.Len() > v.max {
			old := v.order.Remove(v.order.Back()).(*customerCards)
			delete(v.byID, old.id)
		}
	}
	for fp, at := range c.cards {
		if t.Sub(at) >= v.window {
			delete(c.cards, fp)
		}
	}
	if at, ok := c.cards[card]; ok {
		c.cards[card] = maxTime(at, t)
	} else if len(c.cards) < maxCardsPerCustomer {
		c.cards[card] = t
	}
	return len(c.cards)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
