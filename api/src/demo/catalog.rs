//! What the demo store sells and who its customers are: names, places, products, and the
//! questions customers text with the answers the merchant gives.

/// Where customers live: area codes of states that lie in one time zone, so that a text's
/// quiet hours are the same whether they are read from the number or from the shipping
/// address (a test checks every text against them). Weighted by how many customers come
/// from there.
pub const PLACES: &[(u16, &str, u32)] = &[
    (212, "NY", 9),
    (718, "NY", 6),
    (415, "CA", 8),
    (310, "CA", 7),
    (619, "CA", 4),
    (312, "IL", 6),
    (206, "WA", 6),
    (617, "MA", 5),
    (303, "CO", 4),
    (404, "GA", 5),
    (215, "PA", 4),
    (612, "MN", 3),
    (314, "MO", 3),
    (704, "NC", 3),
    (801, "UT", 2),
];

pub const FIRST_NAMES: &[&str] = &[
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Lucas",
    "Mia", "Mateo", "Amelia", "Ethan", "Harper", "Leo", "Evelyn", "Jack", "Abigail", "Owen",
    "Emily", "Daniel", "Ella", "Henry", "Chloe", "Samuel", "Grace", "Wyatt", "Zoe", "Julian",
    "Nora", "Caleb", "Lily", "Isaac", "Hannah", "Miles", "Layla", "Ezra", "Aria", "Aaron", "Priya",
    "Diego", "Mei", "Omar", "Sofia", "Andre", "Fatima", "Kenji", "Lucia", "Tariq",
];

pub const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Garcia",
    "Brown",
    "Nguyen",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Hill",
    "Green",
    "Adams",
    "Baker",
    "Nelson",
    "Patel",
    "Kim",
    "Chen",
    "Okafor",
    "Rossi",
];

pub struct Product {
    pub title: &'static str,
    pub variants: &'static [&'static str],
    pub cents: i64,
}

const SIZES: &[&str] = &["S", "M", "L", "XL"];
const WAIST: &[&str] = &["30", "32", "34", "36"];
const ONE_SIZE: &[&str] = &["One size"];

pub const PRODUCTS: &[Product] = &[
    Product {
        title: "Merino crew sweater",
        variants: SIZES,
        cents: 8_900,
    },
    Product {
        title: "Waxed canvas jacket",
        variants: SIZES,
        cents: 16_800,
    },
    Product {
        title: "Organic cotton tee",
        variants: SIZES,
        cents: 3_200,
    },
    Product {
        title: "Wool beanie",
        variants: ONE_SIZE,
        cents: 2_800,
    },
    Product {
        title: "Chore coat",
        variants: SIZES,
        cents: 14_800,
    },
    Product {
        title: "Linen shirt",
        variants: SIZES,
        cents: 7_400,
    },
    Product {
        title: "Trail socks, 3 pack",
        variants: ONE_SIZE,
        cents: 2_400,
    },
    Product {
        title: "Selvedge jeans",
        variants: WAIST,
        cents: 11_800,
    },
    Product {
        title: "Fleece half-zip",
        variants: SIZES,
        cents: 9_600,
    },
];

/// What a customer asks about, and how the merchant answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Size,
    Shipping,
    Discount,
    Returns,
    CodeNotWorking,
    OnHold,
    Arrival,
    ChangeOrder,
}

impl Topic {
    /// Questions about a waiting cart.
    pub const ABOUT_CARTS: [Topic; 5] = [
        Topic::Size,
        Topic::Shipping,
        Topic::Discount,
        Topic::Returns,
        Topic::CodeNotWorking,
    ];

    /// The customer's question; `product` is something in their cart or order.
    pub fn question(self, variant: usize, product: &str) -> String {
        let options: [String; 2] = match self {
            Topic::Size => [
                format!("Does the {product} run true to size? I'm usually a medium"),
                format!("hi! is the {product} available in XL?"),
            ],
            Topic::Shipping => [
                "How long does shipping take? Need it by next weekend".into(),
                "Is shipping free?".into(),
            ],
            Topic::Discount => [
                "Do you have a discount code for a first order?".into(),
                "any chance of a discount if I buy 2?".into(),
            ],
            Topic::Returns => [
                "What's your return policy if it doesn't fit?".into(),
                "Can I return it if I don't like the color?".into(),
            ],
            Topic::CodeNotWorking => [
                "The code isn't working at checkout :(".into(),
                "COMEBACK10 says invalid??".into(),
            ],
            Topic::OnHold => [
                "Why is my order on hold?".into(),
                "Hi, what's the problem with my order?".into(),
            ],
            Topic::Arrival => [
                "Any idea when it will get here?".into(),
                "Tracking hasn't updated in 2 days, is it lost?".into(),
            ],
            Topic::ChangeOrder => [
                format!("Can I still change the size of the {product}? Ordered the wrong one"),
                "Can I change the shipping address on my order?".into(),
            ],
        };
        options[variant % options.len()].clone()
    }

    pub fn answer(self) -> &'static str {
        match self {
            Topic::Size => {
                "They run true to size. If you're between sizes, go up one; exchanges are free within 30 days."
            }
            Topic::Shipping => {
                "Shipping is free over $75 and orders leave within a business day; most arrive in 3-5 days."
            }
            Topic::Discount => "Sure! WELCOME10 takes 10% off your first order.",
            Topic::Returns => {
                "Returns are free within 30 days, unworn with tags on. We'll send a prepaid label."
            }
            Topic::CodeNotWorking => {
                "Sorry about that! It works on full-price items; I've applied it to your cart, try the link again."
            }
            Topic::OnHold => {
                "We just needed to confirm your shipping address. All sorted: it ships today!"
            }
            Topic::Arrival => {
                "It's with UPS and on schedule; most orders arrive in 3-5 business days. The tracking link has the latest."
            }
            Topic::ChangeOrder => "Done! I've updated your order. You'll get a new confirmation.",
        }
    }
}

/// A customer's thanks after an answer.
pub const THANKS: &[&str] = &[
    "Perfect, thank you!",
    "great thanks",
    "Ok thanks, ordering now",
    "Thank you so much!",
];

/// The merchant's answer to thanks, when there is one.
pub const WELCOME: &str = "You're welcome! Enjoy.";

/// Opt-outs by keyword, and in the customer's own words.
pub const STOP_WORDS: &[&str] = &["STOP", "Stop", "stop"];
pub const STOP_SENTENCES: &[&str] = &[
    "No more texting please",
    "please no more texts",
    "Stop texting me",
];

#[cfg(test)]
mod tests {
    use textback_shared::opt_out::{Intent, classify};
    use textback_shared::quiet_hours::Recipient;

    use super::*;

    #[test]
    fn a_customers_quiet_hours_are_the_same_by_number_and_by_state() {
        for (code, state, _) in PLACES {
            let phone = format!("+1{code}5550150");
            assert_eq!(
                Recipient::locate(&phone, None),
                Recipient::locate(&phone, Some(state)),
                "{code} in {state}"
            );
        }
    }

    #[test]
    fn opt_outs_read_as_opt_outs_and_questions_do_not() {
        for text in STOP_WORDS.iter().chain(STOP_SENTENCES) {
            assert_eq!(classify(text), Intent::OptOut, "{text}");
        }
        for topic in [
            Topic::Size,
            Topic::Shipping,
            Topic::Discount,
            Topic::Returns,
            Topic::CodeNotWorking,
            Topic::OnHold,
            Topic::Arrival,
            Topic::ChangeOrder,
        ] {
            for variant in 0..2 {
                let question = topic.question(variant, "Linen shirt");
                assert_eq!(classify(&question), Intent::Other, "{question}");
            }
            assert_eq!(classify(topic.answer()), Intent::Other);
        }
        for text in THANKS {
            assert_eq!(classify(text), Intent::Other, "{text}");
        }
    }
}
