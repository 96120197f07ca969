package payment

// iinRange is a range of issuer identification number prefixes, both ends with the
// same number of digits. lengths, when set, are the lengths of the range's card
// numbers in place of the network's.
type iinRange struct {
	lo, hi  string
	brand   Brand
	lengths lengthSet
}

// iinRanges assigns number prefixes to brands, after the networks' published
// ranges (each group names its source). Where ranges nest, the most specific one
// (most digits) wins: Elo's, Verve's, RuPay's and Troy's ranges inside Discover's
// 65, Elo's, Verve's and Dankort's inside Maestro's 50, Hipercard's inside Diners'
// 38, Elo's few BINs inside Visa's 4 and UnionPay's 62. Ranges with the same
// number of digits never overlap (a test checks), so the order does not matter.
//
// Co-badged cards read as the international brand they carry: Visa/Dankort (4571)
// is Visa, RuPay-JCB (353, 356) is JCB, and Cartes Bancaires cards, which are
// co-badged with Visa or Mastercard, read as those (CB publishes no CB-only
// range). 622126-622925 is UnionPay, although Discover also accepts it on its
// network.
var iinRanges = []iinRange{
	// Visa: Visa Core Rules, 4.
	{"4", "4", Visa, 0},

	// Mastercard: Mastercard Rules, 51-55 and the 2-series 2221-2720.
	{"51", "55", Mastercard, 0},
	{"2221", "2720", Mastercard, 0},

	// American Express: American Express merchant reference guide, 34 and 37.
	{"34", "34", Amex, 0},
	{"37", "37", Amex, 0},

	// Discover: Discover Global Network IIN ranges (D-PAS acceptance guide).
	{"6011", "6011", Discover, 0},
	{"644", "649", Discover, 0},
	{"65", "65", Discover, 0},

	// JCB: JCB International, 3528-3589; the older 15-digit ranges 2131 and 1800.
	{"3528", "3589", JCB, 0},
	{"2131", "2131", JCB, lengthsOf(15)},
	{"1800", "1800", JCB, lengthsOf(15)},

	// Diners Club International: Discover Global Network IIN ranges.
	{"300", "305", Diners, 0},
	{"3095", "3095", Diners, 0},
	{"36", "36", Diners, 0},
	{"38", "39", Diners, 0},

	// UnionPay: UnionPay International, 62 and 8100-8171 (the rest of 81-82 up to
	// 8201 is RuPay's).
	{"62", "62", UnionPay, 0},
	{"8100", "8171", UnionPay, 0},

	// Maestro: Mastercard's Maestro ranges; Maestro UK's 6759, 676770 and 676774.
	{"50", "50", Maestro, 0},
	{"56", "58", Maestro, 0},
	{"6304", "6304", Maestro, 0},
	{"6759", "6759", Maestro, 0},
	{"6761", "6763", Maestro, 0},
	{"676770", "676770", Maestro, 0},
	{"676774", "676774", Maestro, 0},

	// Elo: Elo's published BIN table (Elo developer portal, "Tabela de BINs").
	{"401178", "401179", Elo, 0},
	{"431274", "431274", Elo, 0},
	{"438935", "438935", Elo, 0},
	{"451416", "451416", Elo, 0},
	{"457393", "457393", Elo, 0},
	{"457631", "457632", Elo, 0},
	{"504175", "504175", Elo, 0},
	{"506699", "506778", Elo, 0},
	{"509000", "509999", Elo, 0},
	{"627780", "627780", Elo, 0},
	{"636297", "636297", Elo, 0},
	{"636368", "636368", Elo, 0},
	{"650031", "650033", Elo, 0},
	{"650035", "650051", Elo, 0},
	{"650405", "650439", Elo, 0},
	{"650485", "650538", Elo, 0},
	{"650541", "650598", Elo, 0},
	{"650700", "650718", Elo, 0},
	{"650720", "650727", Elo, 0},
	{"650901", "650978", Elo, 0},
	{"651652", "651679", Elo, 0},
	{"655000", "655019", Elo, 0},
	{"655021", "655058", Elo, 0},

	// Hipercard: Hipercard (Itaú Unibanco), 606282 and 384100, 384140, 384160.
	{"606282", "606282", Hipercard, 0},
	{"384100", "384100", Hipercard, 0},
	{"384140", "384140", Hipercard, 0},
	{"384160", "384160", Hipercard, 0},

	// Hiper: Hiper (Itaú Unibanco) BINs.
	{"637095", "637095", Hiper, 0},
	{"63737423", "63737423", Hiper, 0},
	{"63743358", "63743358", Hiper, 0},
	{"637568", "637568", Hiper, 0},
	{"637599", "637599", Hiper, 0},
	{"637609", "637609", Hiper, 0},
	{"637612", "637612", Hiper, 0},

	// Mir: NSPK (National Payment Card System, Russia), 2200-2204.
	{"2200", "2204", Mir, 0},

	// Troy: BKM (Interbank Card Center, Turkey), 979200-979289, and its BINs on
	// Discover's 65 (Discover-BKM reciprocity). 650052 is the Troy BIN of
	// Turkish acquirers' published Troy test cards; add further 65 BINs from
	// BKM's list as they are published.
	{"979200", "979289", Troy, 0},
	{"650052", "650052", Troy, 0},

	// Verve: Interswitch (Nigeria), 506099-506198, 507865-507964, 650002-650027.
	{"506099", "506198", Verve, 0},
	{"507865", "507964", Verve, 0},
	{"650002", "650027", Verve, 0},

	// RuPay: NPCI (National Payments Corporation of India) BIN ranges.
	{"508500", "508999", RuPay, 0},
	{"606985", "607984", RuPay, 0},
	{"608001", "608500", RuPay, 0},
	{"652150", "653149", RuPay, 0},
	{"8172", "8201", RuPay, 0},

	// Dankort: Nets (Denmark), 5019 (Dankort alone; Visa/Dankort is Visa).
	{"5019", "5019", Dankort, 0},
}
