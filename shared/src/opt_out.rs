//! What an inbound text asks for: to stop receiving texts (opt-out), to receive them again
//! (opt-in), help, or none of these (an ordinary message for the merchant's inbox).
//!
//! The FCC's 2024 consent-revocation rule (47 CFR 64.1200(a)(10)) makes STOP, QUIT, END,
//! REVOKE, OPT OUT, CANCEL and UNSUBSCRIBE revoke consent on their own, and requires any other
//! wording that a reasonable person would read as revocation to be honoured too. CTIA's
//! principles ask for the same, except where a word on its own could opt someone out by
//! accident. So the classifier works in three layers:
//!
//! 1. Normalisation: case, accents, full-width and "fancy font" letters, curly apostrophes,
//!    emoji and punctuation are folded away ([`normalize`]); runs of a repeated letter count
//!    once when words are compared, so `STOOOP` and `pleeease` match.
//! 2. Keywords: a message that is nothing but keywords and politeness ("Stop please",
//!    "STOP IT", "ＳＴＯＰ 🛑", "S.T.O.P") gets the keyword's intent. The unambiguous opt-out
//!    keywords (STOP, UNSUBSCRIBE, ARRÊT, …) also count as a sentence of their own inside a
//!    longer message ("Who is this? STOP"); the ones that are everyday words too (CANCEL, END,
//!    QUIT) only count as the whole message.
//! 3. Phrases: a few rule families built from small word lists recognise requests to stop
//!    texting in other wording ("please stop texting me", "take me off your list", "I don't
//!    want these messages", "arrêtez de m'envoyer des messages"), with guards for messages that
//!    merely contain such words ("I'll stop by the store", "cancel my order", "don't stop").
//!
//! Opt-out wins over everything else: when a message both asks to stop and says something
//! else ("Yes, stop"), the customer's revocation is what must be honoured. Opt-in is only ever
//! a keyword (START, UNSTOP, YES, Y), because texting someone who did not ask for it again is
//! the costly mistake.

use serde::{Deserialize, Serialize};

/// The intent of an inbound text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// Stop texting this number (consent revoked).
    OptOut,
    /// Resume texting this number (START, UNSTOP, YES).
    OptIn,
    /// Send the help message (HELP, INFO).
    Help,
    /// An ordinary message.
    Other,
}

/// Classifies an inbound text.
pub fn classify(text: &str) -> Intent {
    let clauses = clauses(text);
    let words: Vec<String> = clauses.iter().flatten().cloned().collect();
    if words.is_empty() {
        return Intent::Other;
    }
    if let Some(intent) = keyword_message(&words) {
        return intent;
    }
    if clauses.iter().any(|c| asks_to_opt_out(c)) {
        return Intent::OptOut;
    }
    Intent::Other
}

/// The message as the classifier sees it: folded, lower-case words separated by single spaces.
pub fn normalize(text: &str) -> String {
    clauses(text).concat().join(" ")
}

// ---------------------------------------------------------------------------------------------
// Normalisation
// ---------------------------------------------------------------------------------------------

/// Folds one lower-cased character into `out`: full-width forms and the mathematical,
/// circled and squared "fancy" letters become ASCII, Latin accents are dropped (ARRÊT is
/// typed both ways), apostrophe look-alikes become `'`, invisible characters vanish, and the
/// stop-sign emoji reads as the word it depicts.
fn fold_into(c: char, out: &mut String) {
    let cp = c as u32;
    let letter = |i: u32| char::from(b'a' + (i % 26) as u8);
    let folded: Option<char> = match cp {
        0xFF01..=0xFF5E => char::from_u32(cp - 0xFEE0),
        0x3000 => Some(' '),
        // Bold, italic, script, … capitals and small letters, 52 to an alphabet.
        0x1D400..=0x1D6A3 => Some(letter((cp - 0x1D400) % 52)),
        0x1D7CE..=0x1D7FF => char::from_digit((cp - 0x1D7CE) % 10, 10),
        0x249C..=0x24B5 => Some(letter(cp - 0x249C)),
        0x24B6..=0x24CF => Some(letter(cp - 0x24B6)),
        0x24D0..=0x24E9 => Some(letter(cp - 0x24D0)),
        0x1F130..=0x1F149 => Some(letter(cp - 0x1F130)),
        0x1F150..=0x1F169 => Some(letter(cp - 0x1F150)),
        0x1F170..=0x1F189 => Some(letter(cp - 0x1F170)),
        // Combining accents, zero-width characters, soft hyphen, variation selectors.
        0x0300..=0x036F | 0x200B..=0x200D | 0x2060 | 0xFEFF | 0x00AD | 0xFE00..=0xFE0F => None,
        0x2018 | 0x2019 | 0x201B | 0x02BC | 0x00B4 | 0x0060 => Some('\''),
        0x1F6D1 => {
            out.push_str(" stop ");
            None
        }
        _ => Some(match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
            'ç' | 'ć' | 'č' => 'c',
            'ď' => 'd',
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
            'ğ' => 'g',
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => 'i',
            'ł' => 'l',
            'ñ' | 'ń' | 'ň' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
            'ř' => 'r',
            'ś' | 'š' => 's',
            'ť' => 't',
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
            'ý' | 'ÿ' => 'y',
            'ź' | 'ż' | 'ž' => 'z',
            'œ' => {
                out.push_str("oe");
                return;
            }
            'æ' => {
                out.push_str("ae");
                return;
            }
            'ß' => {
                out.push_str("ss");
                return;
            }
            other => other,
        }),
    };
    if let Some(f) = folded {
        out.push(f.to_ascii_lowercase());
    }
}

/// Characters that end a sentence or clause. A keyword that stands alone between them is
/// meant as a keyword ("Who is this? STOP"); a phrase never spans them.
fn ends_clause(c: char) -> bool {
    matches!(
        c,
        '.' | '!' | '?' | ';' | ':' | ',' | '\n' | '\r' | '…' | '¡' | '¿' | '(' | ')' | '|'
    )
}

/// Splits a message into clauses of normalised words.
///
/// Letters and digits make words; everything else (spaces, emoji, hyphens) separates them.
/// An apostrophe joins English contractions (`don't` → `dont`) but splits French elisions
/// (`m'envoyer` → `m envoyer`), so both read as the words people mean.
fn clauses(text: &str) -> Vec<Vec<String>> {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars() {
        for lower in c.to_lowercase() {
            fold_into(lower, &mut folded);
        }
    }

    let mut clauses = Vec::new();
    let mut clause: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in folded.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else if c == '\'' {
            if matches!(
                word.as_str(),
                "c" | "d" | "j" | "l" | "m" | "n" | "s" | "t" | "qu"
            ) {
                clause.push(std::mem::take(&mut word));
            }
        } else {
            if !word.is_empty() {
                clause.push(std::mem::take(&mut word));
            }
            if ends_clause(c) && !clause.is_empty() {
                clauses.push(std::mem::take(&mut clause));
            }
        }
    }
    if !word.is_empty() {
        clause.push(word);
    }
    if !clause.is_empty() {
        clauses.push(clause);
    }
    clauses
}

/// The characters of `s` with each run of a repeated character counted once.
fn squeezed(s: &str) -> impl Iterator<Item = char> + '_ {
    let mut previous = None;
    s.chars().filter(move |&c| {
        let keep = previous != Some(c);
        previous = Some(c);
        keep
    })
}

/// Whether a normalised word is `word`, ignoring repeated letters ("stoooop", "pleease").
fn is(token: &str, word: &str) -> bool {
    squeezed(token).eq(squeezed(word))
}

fn is_any(token: &str, words: &[&str]) -> bool {
    words.iter().any(|w| is(token, w))
}

/// The length in words of the longest of `phrases` (words separated by spaces) that starts at
/// `words[i]`.
fn phrase_at(words: &[String], i: usize, phrases: &[&str]) -> Option<usize> {
    phrases
        .iter()
        .filter_map(|p| {
            let n = p.split(' ').count();
            let fits = i + n <= words.len() && p.split(' ').zip(&words[i..]).all(|(w, t)| is(t, w));
            fits.then_some(n)
        })
        .max()
}

/// Optimal-string-alignment distance (edits, with adjacent swaps counting as one).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

// ---------------------------------------------------------------------------------------------
// Keywords
// ---------------------------------------------------------------------------------------------

/// Opt-out keywords that are never everyday words, so they count even as one sentence of a
/// longer message. Sources: FCC per-se words, Twilio's defaults, AWS's US/CA list (ARRET),
/// the profanity Recapture treats as STOP, and short dismissals.
const OPT_OUT_STRONG: &[&str] = &[
    "stop",
    "stopall",
    "stop all",
    "stop it",
    "unsubscribe",
    "opt out",
    "optout",
    "opt me out",
    "revoke",
    "arret",
    "arrete",
    "arretez",
    "arreter",
    "cease and desist",
    "leave me alone",
    "fuck off",
    "f off",
    "fuck you",
    "fuck u",
    "piss off",
    "screw you",
    "stfu",
    "gtfo",
    "wrong number",
    "you have the wrong number",
    "you got the wrong number",
    "wrong person",
    "cut it out",
    "knock it off",
];

/// Opt-out keywords that are also everyday words ("When does the sale end?"), so they only
/// count when they are the whole message. CANCEL, END and QUIT are FCC per-se words; REMOVE
/// and TD come from AWS's US/CA list; NO MAS and the other Spanish words are common
/// revocations in US messaging.
const OPT_OUT_WHOLE: &[&str] = &[
    "cancel",
    "end",
    "quit",
    "remove",
    "td",
    "enough",
    "go away",
    "get lost",
    "shut up",
    "spam",
    "this is spam",
    "harassment",
    "this is harassment",
    "no more",
    "count me out",
    "i want out",
    "not interested",
    "no longer interested",
    "no mas",
    "basta",
    "baja",
    "cancelar",
    "parar",
];

/// Opt-in keywords (Twilio's defaults; Y from Klaviyo's compliance list).
const OPT_IN: &[&str] = &["start", "unstop", "yes", "y"];

/// Help keywords (Twilio's defaults and CTIA).
const HELP: &[&str] = &["help", "info", "help me", "need help"];

/// Words that can surround a keyword without changing what it asks: politeness, greetings,
/// emphasis and request framings ("Can you please just STOP", "I want to unsubscribe").
const FILLER: &[&str] = &[
    "please",
    "pls",
    "plz",
    "plse",
    "pleas",
    "kindly",
    "thanks",
    "thank you",
    "thank u",
    "thankyou",
    "thx",
    "tx",
    "ty",
    "now",
    "right now",
    "asap",
    "immediately",
    "already",
    "again",
    "forever",
    "permanently",
    "ok",
    "okay",
    "k",
    "just",
    "sorry",
    "it",
    "this",
    "that",
    "all",
    "me",
    "us",
    "no",
    "hey",
    "hi",
    "hello",
    "yo",
    "guys",
    "lol",
    "omg",
    "ffs",
    "wtf",
    "god",
    "seriously",
    "really",
    "honestly",
    "fucking",
    "freaking",
    "effing",
    "damn",
    "dammit",
    "i",
    "im",
    "i am",
    "am",
    "can you",
    "could you",
    "would you",
    "will you",
    "can u",
    "could u",
    "you can",
    "u can",
    "i want to",
    "i wanna",
    "i would like to",
    "id like to",
    "i wish to",
    "i need to",
    "i want you to",
    "i need you to",
    "you need to",
    "make it",
    "svp",
    "s il vous plait",
    "sil vous plait",
    "s il te plait",
    "merci",
    "por favor",
    "gracias",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Filler,
    OptOutStrong,
    OptOutWhole,
    OptIn,
    Help,
}

/// Reads `words` as a sequence of keywords and filler, longest phrase first; `None` when some
/// word is neither.
fn keyword_units(words: &[String]) -> Option<Vec<Unit>> {
    let tables: [(&[&str], Unit); 5] = [
        (OPT_OUT_STRONG, Unit::OptOutStrong),
        (OPT_OUT_WHOLE, Unit::OptOutWhole),
        (OPT_IN, Unit::OptIn),
        (HELP, Unit::Help),
        (FILLER, Unit::Filler),
    ];
    let mut units = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let (len, unit) = tables
            .iter()
            .filter_map(|(phrases, unit)| phrase_at(words, i, phrases).map(|n| (n, *unit)))
            .max_by_key(|(n, _)| *n)?;
        units.push(unit);
        i += len;
    }
    Some(units)
}

/// A misspelling of STOP typed as the whole message ("stpo", "st0p", "sotp"): one edit away,
/// an adjacent swap counting as one. STOP's one-edit neighbours that are English words people
/// do send on their own (SHOP, STEP, TOP, …) stay ordinary messages. UNSUBSCRIBE's
/// misspellings are recognised anywhere ([`is_unsubscribe`]).
fn is_misspelt_stop(word: &str) -> bool {
    const STOP_NEIGHBOURS: &[&str] = &[
        "atop", "shop", "slop", "step", "stomp", "strop", "swop", "stow", "top", "sop", "stoup",
        "spot", "sot",
    ];
    let w: String = squeezed(word).collect();
    edit_distance(&w, "stop") == 1 && !STOP_NEIGHBOURS.contains(&w.as_str())
}

/// The intent of a message that consists of keywords only, if it does.
///
/// Besides word-by-word reading, the message with its spaces removed is tried as one keyword,
/// so spelt-out and dotted forms ("S T O P", "S.T.O.P", "opt out") match.
fn keyword_message(words: &[String]) -> Option<Intent> {
    if words.len() == 1 && is_misspelt_stop(&words[0]) {
        return Some(Intent::OptOut);
    }
    let meaningful = |units: &Vec<Unit>| units.iter().any(|u| *u != Unit::Filler);
    let units = keyword_units(words)
        .filter(meaningful)
        .or_else(|| keyword_units(&[words.concat()]).filter(meaningful))?;
    Some(
        if units
            .iter()
            .any(|u| matches!(u, Unit::OptOutStrong | Unit::OptOutWhole))
        {
            Intent::OptOut
        } else if units.contains(&Unit::OptIn) {
            Intent::OptIn
        } else {
            Intent::Help
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Phrases
// ---------------------------------------------------------------------------------------------

/// Verbs and phrases that ask for something to stop, in English, French and Spanish.
const STOP_VERBS: &[&str] = &[
    "stop",
    "quit",
    "cease",
    "end",
    "halt",
    "discontinue",
    "cancel",
    "pause",
    "enough",
    "no more",
    "nomore",
    "arrete",
    "arretez",
    "arreter",
    "arretes",
    "cessez",
    "cesser",
    "plus de",
    "basta",
    "no mas",
    "deja de",
    "dejen de",
    "para de",
    "paren de",
];

/// Words that mean texting or contacting someone, on their own.
const CONTACT_VERBS: &[&str] = &[
    "text",
    "texts",
    "texting",
    "textin",
    "texted",
    "txt",
    "txts",
    "txting",
    "txtin",
    "message",
    "messages",
    "messaging",
    "messaged",
    "msg",
    "msgs",
    "msging",
    "sms",
    "smsing",
    "contact",
    "contacting",
    "contacted",
    "spam",
    "spamming",
    "spammed",
    "harass",
    "harassing",
    "pester",
    "pestering",
    "bug",
    "bugging",
    "hound",
    "hounding",
    "texter",
    "textez",
    "ecrire",
    "ecrivez",
    "contacter",
    "contactez",
    "escribir",
    "escriban",
    "escribas",
    "textear",
    // Spanish infinitives and imperatives carry their object: "dejen de escribirme".
    "escribirme",
    "escribirnos",
    "escribeme",
    "escribanme",
    "contactarme",
    "contactarnos",
    "textearme",
];

/// Verbs that only mean contacting someone with a personal object: "stop sending me …",
/// "don't bother me" (but not "don't send the package", "don't bother, I'll pick it up").
const OBJECT_VERBS: &[&str] = &[
    "send",
    "sending",
    "sent",
    "sends",
    "bother",
    "bothering",
    "ping",
    "pinging",
    "envoyer",
    "envoyez",
    "envoie",
    "envoies",
    "enviar",
    "envien",
    "envies",
    "mandar",
    "manden",
    "mandes",
    "mande",
];

/// Sending verbs with the customer attached as in Spanish ("dejen de enviarme mensajes"):
/// a sending verb and [`ME`] in one word.
const OBJECT_VERBS_ME: &[&str] = &[
    "enviarme",
    "enviarnos",
    "enviame",
    "envienme",
    "mandarme",
    "mandarnos",
    "mandame",
    "mandenme",
];

/// The customer as the object of contact.
const ME: &[&str] = &[
    "me",
    "us",
    "m",
    "moi",
    "nous",
    "myself",
    "my number",
    "my phone number",
    "my cell number",
    "my cell",
    "my phone",
    "this number",
    "this phone number",
    "this phone",
    "mon numero",
    "mi numero",
];

/// What is being sent, when it is messages to the customer.
const MESSAGE_NOUNS: &[&str] = &[
    "text",
    "texts",
    "txt",
    "txts",
    "texting",
    "textos",
    "texto",
    "message",
    "messages",
    "msg",
    "msgs",
    "messaging",
    "sms",
    "mms",
    "spam",
    "promo",
    "promos",
    "promotion",
    "promotions",
    "marketing",
    "ads",
    "adverts",
    "advertisements",
    "advertising",
    "offers",
    "deals",
    "alerts",
    "notifications",
    "notifs",
    "updates",
    "reminders",
    "junk",
    "crap",
    "nonsense",
    "bs",
    "shit",
    "mensajes",
    "mensaje",
    "publicites",
];

/// Words that mean "messages" only after a sending verb ("stop sending me stuff").
const OBJECT_NOUNS: &[&str] = &["stuff", "anything", "rien", "nada"];

/// Words that may stand between a stop verb and what is to stop: determiners, pronouns,
/// emphasis, politeness, and the French/Spanish particles of the same phrases.
const BETWEEN: &[&str] = &[
    "my",
    "your",
    "ur",
    "yr",
    "you",
    "u",
    "ya",
    "yall",
    "guys",
    "these",
    "those",
    "this",
    "that",
    "the",
    "all",
    "any",
    "more",
    "with",
    "of",
    "further",
    "future",
    "getting",
    "get",
    "receiving",
    "receive",
    "to",
    "be",
    "being",
    "ever",
    "even",
    "please",
    "pls",
    "plz",
    "now",
    "just",
    "so",
    "many",
    "much",
    "damn",
    "fucking",
    "freaking",
    "frickin",
    "effing",
    "stupid",
    "annoying",
    "dumb",
    "constant",
    "endless",
    "daily",
    "weekly",
    "automated",
    "promotional",
    "again",
    "anymore",
    "already",
    "immediately",
    "asap",
    "forever",
    "permanently",
    "thanks",
    "thank",
    "thx",
    "ok",
    "okay",
    "from",
    "de",
    "d",
    "des",
    "les",
    "vos",
    "ces",
    "mes",
    "plus",
    "recevoir",
    "svp",
    "merci",
    "mas",
    "recibir",
    "tus",
    "sus",
    "estos",
    "esos",
    "los",
    "las",
    "por",
    "favor",
];

/// Words that make an imperative negative: "don't …", "never …", "ne … plus", "no me …".
const NEGATIONS: &[&str] = &[
    "dont",
    "do not",
    "never",
    "no longer",
    "ne",
    "n",
    "no me",
    "no nos",
    "can you not",
    "could you not",
    "please not",
];

/// Negations that cancel a request in the three words before it ("Don't stop the order",
/// "I won't stop", "I don't want to unsubscribe").
const NEGATING: &[&str] = &[
    "dont", "not", "never", "wont", "cant", "didnt", "doesnt", "shouldnt", "wouldnt", "couldnt",
    "isnt", "arent", "wasnt", "cannot",
];

/// Wanting words for "I don't want …", "not interested in …", "je ne veux plus …".
const WANTING: &[&str] = &[
    "want",
    "wanna",
    "need",
    "wish",
    "like",
    "care",
    "interested",
    "consent",
    "agree",
    "desire",
    "veux",
    "voulons",
    "voudrais",
    "souhaite",
    "souhaitons",
    "quiero",
    "queremos",
    "deseo",
];

/// Subjects that turn "never"/"don't" into a statement rather than a request: "you never text
/// me back", "I don't text much".
const SUBJECTS: &[&str] = &["i", "you", "u", "we", "they", "he", "she", "it", "yall"];

fn is_between(w: &str) -> bool {
    is_any(w, BETWEEN)
}

/// Walks forward from `words[i]` over [`BETWEEN`] words (and `extra`) and answers whether what
/// is asked to stop is messages: a contact verb, a message noun, or a sending verb aimed at
/// the customer ("sending me", or, when `sending_alone` is set, just "sending").
fn reaches_messages(words: &[String], mut i: usize, extra: &[&str], sending_alone: bool) -> bool {
    let (mut sending, mut me) = (false, false);
    let mut skipped = 0;
    while i < words.len() {
        let w = words[i].as_str();
        if is_any(w, CONTACT_VERBS) || is_any(w, MESSAGE_NOUNS) {
            // "You never text me back" is about a reply, not about texting.
            let next = words.get(i + 1).map(String::as_str);
            let after_me = words.get(i + 2).map(String::as_str);
            let back = next.is_some_and(|n| is(n, "back"))
                || (next.is_some_and(|n| is_any(n, &["me", "us"]))
                    && after_me.is_some_and(|n| is(n, "back")));
            return !back;
        }
        if sending && is_any(w, OBJECT_NOUNS) {
            return true;
        }
        if let Some(n) = phrase_at(words, i, ME) {
            me = true;
            i += n;
            continue;
        }
        if is_any(w, OBJECT_VERBS_ME) {
            (sending, me) = (true, true);
        } else if is_any(w, OBJECT_VERBS) {
            sending = true;
        } else if sending && me && is_any(w, &["about", "every", "with"]) {
            return true;
        } else if is_between(w) || is_any(w, extra) {
            skipped += 1;
            if skipped > 5 {
                return false;
            }
        } else {
            return false;
        }
        i += 1;
    }
    sending && (me || sending_alone)
}

/// Whether the request at `words[i]` is negated ("don't stop", "I won't stop texting",
/// "I don't want to unsubscribe"),
/// unless the negation is a question asking for it ("why won't you stop texting me").
fn is_negated(words: &[String], i: usize) -> bool {
    let before = &words[i.saturating_sub(3)..i];
    before.iter().any(|w| is_any(w, NEGATING)) && !words[..i].iter().any(|w| is(w, "why"))
}

/// Rule: stop verb + what to stop. "stop texting me", "please quit messaging", "no more texts",
/// "enough with the messages", "cancel text alerts", "arrêtez de m'envoyer des messages".
/// Guards: a negated stop ("don't stop"), a noun "stop"/"end" ("the bus stop"), and anything
/// that is not about messages ("stop by", "cancel my order") ends the match.
fn stop_messages(words: &[String]) -> bool {
    (0..words.len()).any(|i| {
        let Some(n) = phrase_at(words, i, STOP_VERBS) else {
            return false;
        };
        let noun_use = i > 0
            && is_any(
                &words[i - 1],
                &[
                    "a", "an", "the", "bus", "next", "last", "first", "one", "each", "every", "pit",
                ],
            );
        !noun_use && !is_negated(words, i) && reaches_messages(words, i + n, &[], true)
    })
}

/// Rule: negative imperative + contact verb. "don't text me", "never message this number",
/// "do not contact me", "ne m'envoyez plus de messages". A subject before the negation makes
/// it a statement ("you never text me back", "I don't text").
fn negated_contact(words: &[String]) -> bool {
    const UP_TO_VERB: &[&str] = &[
        "ever", "even", "please", "pls", "plz", "you", "u", "ya", "yall", "guys", "fucking",
        "freaking", "again", "just", "me", "m", "us", "nous", "plus",
    ];
    (0..words.len()).any(|i| {
        let Some(n) = phrase_at(words, i, NEGATIONS) else {
            return false;
        };
        if i > 0 && is_any(&words[i - 1], SUBJECTS) && !is(&words[i], "ne") {
            return false;
        }
        let mut j = i + n;
        let mut me = false;
        while j < words.len() && j < i + n + 3 && is_any(&words[j], UP_TO_VERB) {
            me |= is_any(&words[j], &["me", "m", "us", "nous"]);
            j += 1;
        }
        let Some(verb) = words.get(j) else {
            return false;
        };
        if is_any(verb, CONTACT_VERBS) {
            return reaches_messages(words, j, &[], false);
        }
        if is_any(verb, OBJECT_VERBS) {
            // The object may come before the verb in French ("ne m'envoyez plus").
            return reaches_messages(words, j + 1, &[], me) || (me && j + 1 == words.len());
        }
        false
    })
}

/// Rule: not wanting messages. "I don't want these messages", "I no longer wish to receive
/// texts", "not interested in receiving texts", "je ne veux plus recevoir de messages",
/// "sick of these texts". "I don't want the blue one" stays ordinary: what is not wanted
/// must be messages.
fn unwanted_messages(words: &[String]) -> bool {
    const NOT: &[&str] = &[
        "dont",
        "do not",
        "never",
        "no longer",
        "ne",
        "not",
        "didnt",
        "did not",
        "doesnt",
        "does not",
        "no",
        "nor",
    ];
    const FED_UP: &[&str] = &["hate", "sick of", "tired of", "fed up with", "done with"];
    (0..words.len()).any(|i| {
        if let Some(n) = phrase_at(words, i, FED_UP) {
            return reaches_messages(words, i + n, &[], false);
        }
        let Some(n) = phrase_at(words, i, NOT) else {
            return false;
        };
        let mut j = i + n;
        while j < words.len() && j < i + n + 2 && is_any(&words[j], &["really", "even", "ever"]) {
            j += 1;
        }
        words.get(j).is_some_and(|w| is_any(w, WANTING))
            && reaches_messages(words, j + 1, &["in", "for", "to"], false)
    })
}

/// Rule: a message that starts with "no" and names messages and nothing else: "No texts
/// please", "no me envíen mensajes". "No text yet about my order" is a question about an
/// order, so any other word after the messages ends the match.
fn no_messages(words: &[String]) -> bool {
    if !words.first().is_some_and(|w| is(w, "no")) {
        return false;
    }
    if !reaches_messages(words, 1, &[], false) {
        return false;
    }
    let messages = |w: &String| is_any(w, MESSAGE_NOUNS) || is_any(w, CONTACT_VERBS);
    words.iter().position(messages).is_none_or(|k| {
        words[k + 1..]
            .iter()
            .all(|w| is_between(w) || messages(w) || is_any(w, &["me", "us"]))
    })
}

/// Rule: remove the customer from the list. "remove me", "take me off your list", "delete my
/// number", "get my number off this list", "retirez mon numéro". "Remove the hat from my
/// order" and "drop me a line" do not name the customer followed by off/from (or nothing).
fn remove_me(words: &[String]) -> bool {
    const REMOVE: &[&str] = &[
        "remove",
        "delete",
        "drop",
        "erase",
        "unenroll",
        "unlist",
        "deregister",
        "exclude",
        "retirez",
        "retirer",
        "retire",
        "supprimez",
        "supprimer",
        "enlevez",
        "enlever",
        "effacez",
        "borrar",
        "borra",
        "borren",
        "saquen",
    ];
    // Spanish imperatives with the customer attached: "sácame de la lista".
    const REMOVE_ME: &[&str] = &[
        "sacame",
        "saquenme",
        "quitame",
        "quitenme",
        "borrame",
        "borrenme",
        "eliminame",
        "eliminenme",
    ];
    const TAKE: &[&str] = &["take", "get"];
    (0..words.len()).any(|i| {
        let w = &words[i];
        let mut j = i + 1;
        while j < words.len() && is_any(&words[j], &["please", "pls", "plz", "just"]) {
            j += 1;
        }
        if is_any(w, REMOVE_ME) {
            // Off the list, not "quítame del pedido el gorro" (take the hat off my order).
            let rest = &words[j..];
            return rest.first().is_some_and(|w| is_any(w, &["de", "del"]))
                && rest
                    .iter()
                    .any(|w| is_any(w, &["lista", "listas"]) || is_any(w, MESSAGE_NOUNS));
        }
        let (remove, take) = (is_any(w, REMOVE), is_any(w, TAKE));
        if !remove && !take {
            return false;
        }
        let Some(n) = phrase_at(words, j, ME) else {
            return false;
        };
        let rest = &words[j + n..];
        let off = rest
            .first()
            .is_some_and(|w| is_any(w, &["off", "from", "de", "del"]))
            || (rest.len() >= 2 && is(&rest[0], "out") && is(&rest[1], "of"));
        off || (remove && rest.iter().all(|w| is_between(w)))
    })
}

/// Whether a word is an unsubscribe request in any spelling: "unsubscribe", "unsub",
/// "unsubscribed", "unsuscribe", "désabonner", "désinscrire", "desuscribirme".
fn is_unsubscribe(word: &str) -> bool {
    let w: String = squeezed(word).collect();
    w.starts_with("unsub")
        || w.starts_with("desabon")
        || w.starts_with("desinscri")
        || w.starts_with("desuscri")
        || (w.starts_with("un") && w.chars().count() >= 8 && edit_distance(&w, "unsubscribe") <= 2)
}

/// Rule: unsubscribing or opting out named anywhere, as the FCC's per-se words. "unsubscribe
/// me please", "how do I unsubscribe?", "I'd like to opt out of text messages", "please opt
/// me out", "je veux me désabonner", "darme de baja", "I revoke my consent". A preceding
/// negation ("I don't want to unsubscribe") cancels it.
fn unsubscribe_anywhere(words: &[String]) -> bool {
    const CONSENT: &[&str] = &["consent", "permission", "authorization", "authorisation"];
    const SPECIFIC: &[&str] = &[
        "dar de baja",
        "darme de baja",
        "leave me alone",
        "spamming me",
        "harassing me",
    ];
    const WITHDRAW: &[&str] = &[
        "revoke",
        "revoking",
        "withdraw",
        "withdrawing",
        "rescind",
        "retract",
    ];
    (0..words.len()).any(|i| {
        let w = &words[i];
        let hit = is_unsubscribe(w)
            || is_any(w, &["optout", "optingout"])
            || (is_any(w, &["opt", "opting", "opted"])
                && (words.get(i + 1).is_some_and(|n| is(n, "out"))
                    || (phrase_at(words, i + 1, ME)
                        .is_some_and(|n| words.get(i + 1 + n).is_some_and(|o| is(o, "out"))))))
            || phrase_at(words, i, SPECIFIC).is_some()
            || (is_any(w, WITHDRAW) && words[i + 1..].iter().take(3).any(|n| is_any(n, CONSENT)));
        hit && !is_negated(words, i)
    })
}

/// Rule: denying ever having agreed, which a reasonable person reads as "stop": "I never
/// signed up", "I didn't sign up for this", "never opted in". Only when nothing else follows
/// but what was (not) signed up for is the texts ("…for the warranty" is a billing question).
fn never_agreed(words: &[String]) -> bool {
    const DENIAL: &[&str] = &[
        "never",
        "didnt",
        "did not",
        "havent",
        "have not",
        "dont remember",
    ];
    const AGREED: &[&str] = &[
        "signed up",
        "sign up",
        "signup",
        "subscribed",
        "subscribe",
        "opted in",
        "opt in",
        "agreed",
        "consented",
        "gave consent",
        "gave permission",
        "gave you my number",
        "asked for",
        "ask for",
    ];
    const FOR_THIS: &[&str] = &[
        "for", "to", "this", "these", "that", "it", "any", "your", "ur", "the", "list", "texts",
        "text", "messages", "sms", "anything", "of", "with", "you",
    ];
    (0..words.len()).any(|i| {
        let Some(n) = phrase_at(words, i, DENIAL) else {
            return false;
        };
        let mut j = i + n;
        if words.get(j).is_some_and(|w| is_any(w, &["even", "ever"])) {
            j += 1;
        }
        let Some(m) = phrase_at(words, j, AGREED) else {
            return false;
        };
        let rest = &words[j + m..];
        let asked = is_any(&words[j], &["asked", "ask"]);
        // "I didn't ask for gift wrap": asking is only about texts when it says so.
        rest.iter()
            .all(|w| is_any(w, FOR_THIS) || is_any(w, MESSAGE_NOUNS))
            && (!asked || !rest.is_empty())
    })
}

/// Rule: a complaint that the texts keep coming. "Why do you keep texting me?", "why am I
/// still getting these messages".
fn why_still(words: &[String]) -> bool {
    let Some(why) = words.iter().position(|w| is(w, "why")) else {
        return false;
    };
    (why + 1..words.len()).any(|i| {
        is_any(
            &words[i],
            &["keep", "keeps", "still", "continue", "constantly", "always"],
        ) && reaches_messages(words, i + 1, &["texting"], false)
    })
}

/// Rule: the customer reports having sent a keyword. "I said STOP", "I replied stop already",
/// "I told you to stop".
fn reported_keyword(words: &[String]) -> bool {
    const SAID: &[&str] = &[
        "said",
        "say",
        "replied",
        "reply",
        "responded",
        "texted",
        "typed",
        "wrote",
        "told",
        "sent",
    ];
    const KEYWORDS: &[&str] = &[
        "stop",
        "unsubscribe",
        "optout",
        "opt out",
        "stopall",
        "arret",
    ];
    (0..words.len()).any(|i| {
        if !is_any(&words[i], SAID) {
            return false;
        }
        let mut j = i + 1;
        while j < words.len()
            && j < i + 4
            && is_any(
                &words[j],
                &["you", "u", "to", "with", "the", "word", "already", "like"],
            )
        {
            j += 1;
        }
        phrase_at(words, j, KEYWORDS).is_some_and(|n| {
            words[j + n..]
                .iter()
                .all(|w| is_between(w) || is_any(w, FILLER))
        })
    })
}

/// Rule: a strong keyword (STOP, UNSUBSCRIBE, ARRÊT) that opens the message before a new
/// sentence begins without punctuation ("STOP this is spam", "stop who is this", "Stop I
/// never signed up"), or closes it after a complete statement ("this is harassment stop").
/// "Stop by the store" and "stop the order" do not start a new sentence; "the bus stop",
/// "can't stop" and "to stop" are not requests.
fn embedded_keyword(words: &[String]) -> bool {
    const STRONG: &[&str] = &["stop", "stopall", "unsubscribe", "arret", "arretez"];
    const NEW_SENTENCE: &[&str] = &[
        "i",
        "im",
        "ive",
        "id",
        "ill",
        "you",
        "youre",
        "u",
        "who",
        "whos",
        "why",
        "what",
        "how",
        "this is",
        "thats",
        "that is",
        "its",
        "we",
        "were",
        "dont",
        "do not",
        "please",
        "pls",
        "leave",
        "never",
        "not",
        "wrong",
        "yall",
        "remove",
        "take",
        "lol",
        "seriously",
        "thank",
        "thanks",
        "ok",
        "okay",
        "je",
        "vous",
        "qui",
    ];
    const NOT_BEFORE_FINAL: &[&str] = &[
        "the", "a", "an", "bus", "next", "last", "first", "one", "quick", "full", "pit", "to",
        "will", "can", "could", "would", "should", "might", "must", "gonna", "wanna", "going",
        "ill", "lets", "non", "nearest", "closest", "your", "my", "their", "our",
    ];
    let mut start = 0;
    while !words.get(start).is_some_and(|w| is_any(w, STRONG)) {
        match phrase_at(words, start, FILLER) {
            Some(n) => start += n,
            None => break,
        }
    }
    let opens = words.get(start).is_some_and(|w| is_any(w, STRONG))
        && phrase_at(words, start + 1, NEW_SENTENCE).is_some();
    let closes = match words {
        [_, .., before, last] => {
            is_any(last, STRONG)
                && !is_any(before, NOT_BEFORE_FINAL)
                && !is_negated(words, words.len() - 1)
        }
        _ => false,
    };
    opens || closes
}

/// Whether one clause asks to stop receiving texts.
fn asks_to_opt_out(words: &[String]) -> bool {
    keyword_units(words).is_some_and(|u| u.contains(&Unit::OptOutStrong))
        || stop_messages(words)
        || negated_contact(words)
        || unwanted_messages(words)
        || no_messages(words)
        || remove_me(words)
        || unsubscribe_anywhere(words)
        || never_agreed(words)
        || why_still(words)
        || reported_keyword(words)
        || embedded_keyword(words)
}

/// A customer on the store's opt-out list (`GET /api/v1/opt-outs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OptOutDto {
    pub contact_id: i64,
    /// E.164.
    pub phone: String,
    pub opted_out_at: chrono::DateTime<chrono::Utc>,
    /// `keyword` (they texted it), `manual`, `import`, `api`.
    pub source: Option<String>,
    /// What caused it, e.g. the text they sent.
    pub note: Option<String>,
}

/// `GET /api/v1/opt-outs`: most recent first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct OptOutsQuery {
    /// Part of the number, however written.
    pub q: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
}

/// The most numbers one request may add.
pub const MAX_OPT_OUTS_PER_REQUEST: usize = 1_000;

/// `POST /api/v1/opt-outs`: numbers the store must never text (its own suppression list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddOptOutsRequest {
    /// 1 to 1,000 numbers, written any usual way.
    #[cfg_attr(feature = "openapi", schema(example = json!(["+1 415 555 0123", "(212) 555-0188"])))]
    pub phones: Vec<String>,
    /// Why, for the audit (e.g. "asked by email").
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddOptOutsResponse {
    pub added: u32,
    pub already_opted_out: u32,
    /// Numbers that could not be read as US or Canadian numbers (nothing was done with them).
    pub invalid: Vec<String>,
}

/// `DELETE /api/v1/opt-outs/{phone}`: resubscribing needs evidence of new consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResubscribeRequest {
    /// How the customer asked to get texts again (kept in the consent audit).
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Signed the SMS consent form in store on 2026-12-04")
    )]
    pub evidence: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    const CORPUS: &str = include_str!("../../tests/fixtures/optout-dev.tsv");

    fn misclassified(cases: &[&str], expected: Intent) -> Vec<String> {
        cases
            .iter()
            .filter_map(|text| {
                let got = classify(text);
                (got != expected).then(|| {
                    format!(
                        "{text:?}: expected {expected:?}, got {got:?} ({:?})",
                        normalize(text)
                    )
                })
            })
            .collect()
    }

    #[test]
    fn classifies_the_labelled_corpus() {
        let mut failures = Vec::new();
        let mut total = 0;
        for line in CORPUS.lines() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (label, text) = line.split_once('\t').expect("label<TAB>text");
            let expected = match label {
                "opt_out" => Intent::OptOut,
                "opt_in" => Intent::OptIn,
                "help" => Intent::Help,
                "other" => Intent::Other,
                other => panic!("unknown label {other:?}"),
            };
            total += 1;
            failures.extend(misclassified(&[text], expected));
        }
        assert!(total > 0);
        assert!(
            failures.is_empty(),
            "{} of {total} wrong:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn normalisation_folds_case_width_accents_and_emoji() {
        assert_eq!(normalize("ＳＴＯＰ 🛑"), "stop stop");
        assert_eq!(normalize("  Stop!!!  "), "stop");
        assert_eq!(normalize("ARRÊT"), "arret");
        assert_eq!(normalize("Arre\u{302}tez"), "arretez");
        assert_eq!(normalize("Don’t text me"), "dont text me");
        assert_eq!(
            normalize("Arrêtez de m'envoyer des messages"),
            "arretez de m envoyer des messages"
        );
        assert_eq!(normalize("OPT-OUT"), "opt out");
        assert_eq!(normalize("𝐒𝐓𝐎𝐏"), "stop");
        assert_eq!(normalize("S\u{200B}TOP"), "stop");
        assert_eq!(normalize("🙏😡"), "");
    }

    #[test]
    fn held_out_opt_outs() {
        let cases = [
            "STOP 🛑",
            "🛑",
            "ＳＴＯＰ",
            "ｓｔｏｐ　ａｌｌ",
            "𝐒𝐓𝐎𝐏",
            "Stop.",
            "stop!!!",
            "  Stop  ",
            "sToP",
            "Stooooop",
            "Stop please",
            "STOP IT",
            "S.T.O.P",
            "U N S U B S C R I B E",
            "STOP STOP STOP",
            "Ok stop",
            "stop, thanks",
            "stpo",
            "st0p",
            "unsubcribe",
            "Opt-out",
            "opt out please",
            "Unsubscribe 🙏",
            "end",
            "Cancel.",
            "REMOVE",
            "Remove me",
            "Wrong number",
            "Not interested",
            "fuck off",
            "Leave me alone",
            "arrêt",
            "ARRÊT",
            "Arrêtez de m'envoyer des messages",
            "Je veux me désabonner",
            "Désabonnez-moi svp",
            "Ne m'envoyez plus de textos",
            "Je ne veux plus recevoir de messages",
            "No más",
            "Please quit texting me",
            "Can you stop messaging me?",
            "I want to stop getting these texts",
            "Don't ever text me again",
            "Do not contact me",
            "Never message this number again",
            "No more texts please",
            "Remove my number from your list",
            "Take me off this list",
            "Delete my number",
            "please opt me out",
            "How do I unsubscribe?",
            "I no longer wish to receive these messages",
            "I'd like to opt out of text messages",
            "I revoke my consent to receive texts",
            "Stop sending me promotions",
            "Please STOP sending me these",
            "Stop bothering me",
            "Enough with the texts already",
            "Quit spamming me",
            "Stop texting me 😡",
            "You can stop texting me now, thanks",
            "Please stop contacting me",
            "I don't want you to text me",
            "I'm not interested in receiving texts",
            "Stop the texts about sales, I'm broke",
            "Who is this? I never signed up. STOP",
            "STOP this is spam",
            "stop texting me i never signed up",
            "Why do you keep texting me?",
            "I said STOP",
        ];
        let failures = misclassified(&cases, Intent::OptOut);
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn held_out_ordinary_messages() {
        let cases = [
            "I'll stop by the store tomorrow",
            "Can I stop by to pick it up?",
            "I'm going to stop in on Saturday",
            "Stop at the front desk when you arrive",
            "Where is the closest bus stop to your shop?",
            "cancel my order #123",
            "Please cancel my order",
            "Cancel the red one and keep the blue",
            "Don't stop the order",
            "Don't stop texting me, I love the deals!",
            "I love your texts, don't stop!",
            "Quite happy with it",
            "Can you help with my size?",
            "Help me choose a size please",
            "When does the sale end?",
            "Does this offer end soon?",
            "Is the end of season sale on?",
            "I quit my job so I'm on a budget lol",
            "Remove the hat from my order",
            "Can you take the blue one off my order?",
            "Take me to the checkout page",
            "Drop me a line when it's back",
            "Text me when it ships",
            "Message me the tracking link",
            "Can you keep texting me updates?",
            "Please send me the receipt",
            "Don't send the package to my old address",
            "I don't want the blue one, can I get red?",
            "I didn't get a text about my order",
            "No text yet about my tracking number",
            "You never text me back about my order",
            "I entered the wrong number at checkout",
            "No thanks, I'm good",
            "Is this still in stock?",
            "Do you ship to Canada?",
            "What's the info on the return policy?",
            "Start date for the sale?",
            "Yes I'd like the medium",
            "Thanks!",
            "Shop",
            "Top",
        ];
        let failures = misclassified(&cases, Intent::Other);
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn held_out_opt_ins_and_help() {
        let opt_in = [
            "START",
            "Start please",
            "unstop",
            "UNSTOP",
            "YES",
            "yes!",
            "Y",
            "ＹＥＳ",
            "Yes please",
            "start 🙂",
        ];
        let help = [
            "HELP",
            "help?",
            "Info",
            "INFO please",
            "ＨＥＬＰ",
            "help me",
        ];
        let mut failures = misclassified(&opt_in, Intent::OptIn);
        failures.extend(misclassified(&help, Intent::Help));
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Spanish puts the customer inside the verb ("enviarme", "sácame"): still a request to
    /// stop, while the same verbs about an order are not.
    #[test]
    fn spanish_verbs_with_the_customer_attached() {
        let opt_out = [
            "Dejen de enviarme mensajes",
            "deja de mandarme mensajes",
            "Por favor dejen de escribirme",
            "Dejen de enviarme",
            "Quítenme de la lista",
            "Sácame de la lista por favor",
            "Desuscribir",
            "Quiero desuscribirme",
        ];
        let other = [
            "Deja de enviarme el paquete",
            "Quítame del pedido el gorro",
            "Sácame una foto del producto",
            "Envíame el link",
            "Escríbeme cuando llegue",
            "¿Puedes enviarme el recibo?",
        ];
        let mut failures = misclassified(&opt_out, Intent::OptOut);
        failures.extend(misclassified(&other, Intent::Other));
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Where the rules had to choose, the choice is pinned here.
    #[test]
    fn ambiguous_cases_resolve_as_documented() {
        // Revoking text consent in passing still revokes it.
        assert_eq!(classify("Don't text, call me instead"), Intent::OptOut);
        // A stand-alone STOP sentence is taken at its word, whatever follows.
        assert_eq!(classify("Stop, don't ship it yet"), Intent::OptOut);
        assert_eq!(classify("Stop, I want M not L"), Intent::OptOut);
        // Sending that is about the order, not texts, is a question for the inbox.
        assert_eq!(
            classify("stop sending me the wrong size? I want M"),
            Intent::Other
        );
        assert_eq!(classify("don't stop"), Intent::Other);
        // Asking how to leave is asking to leave; so is the per-se word CANCEL with filler.
        assert_eq!(classify("Unsubscribe from what?"), Intent::OptOut);
        assert_eq!(classify("I want to cancel"), Intent::OptOut);
        // Negated requests and the opposite words are not opt-outs.
        assert_eq!(
            classify("I don't want to unsubscribe, just fewer texts"),
            Intent::Other
        );
        assert_eq!(classify("Subscribe"), Intent::Other);
        assert_eq!(classify("Re-subscribe"), Intent::Other);
        // A subscription is a product, not the texts, unless it says so.
        assert_eq!(classify("Cancel my subscription"), Intent::Other);
        assert_eq!(classify("Cancel my text subscription"), Intent::OptOut);
        // Questions about the texts go to the inbox; only asking to stop revokes.
        assert_eq!(classify("Why are you texting me?"), Intent::Other);
        assert_eq!(classify("Why do you keep texting me?"), Intent::OptOut);
        // Opt-in is keywords only.
        assert_eq!(classify("Please start texting me again"), Intent::Other);
        assert_eq!(classify("yes please send the link again"), Intent::Other);
    }

    #[test]
    fn opt_out_wins_over_other_keywords() {
        assert_eq!(classify("Yes, stop"), Intent::OptOut);
        assert_eq!(classify("HELP STOP"), Intent::OptOut);
        assert_eq!(classify(""), Intent::Other);
        assert_eq!(classify("🙂"), Intent::Other);
    }

    #[test]
    fn intent_serialises_as_the_corpus_labels() {
        assert_eq!(
            serde_json::to_string(&Intent::OptOut).unwrap(),
            "\"opt_out\""
        );
        assert_eq!(serde_json::to_string(&Intent::OptIn).unwrap(), "\"opt_in\"");
    }
}
