// Package codec keeps card data out of Temporal: every payload the worker, the
// API and the starter send is encrypted with AES-256-GCM before it leaves the
// process, and the codec server decrypts it for the Temporal UI and CLI only.
//
// An encrypted payload has the metadata encoding "binary/encrypted" and the
// id of its key under "encryption-key-id" (the layout of Temporal's encryption
// sample); its data is a random nonce followed by the sealed proto encoding of
// the whole original payload, metadata included.
package codec
