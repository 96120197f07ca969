// Package vault is the shop side's client of the processor's vault: it
// tokenizes card data (the one place a card number is written out, to the
// vault) and looks tokens up. For the sandbox it also reads the books and
// drives the test mode (books.go), for the starter's demo and reconcile and
// for tests. The API and the starter link this package and no other adapter.
package vault
