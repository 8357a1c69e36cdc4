//! Parts of a fake Twilio (wiremock) that more than one test needs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::{Request, Respond, ResponseTemplate};

/// (sid, from, to, body) of every text the fake Twilio took, in order.
pub type TakenTexts = Arc<Mutex<Vec<(String, String, String, String)>>>;

/// `GET …/Messages.json?From=&To=`: the texts taken between those numbers, as Twilio lists
/// them (the reconciler asks this before sending a text again).
pub struct ListTaken(pub TakenTexts);

impl Respond for ListTaken {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query: HashMap<String, String> = request.url.query_pairs().into_owned().collect();
        let messages: Vec<Value> = self
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, from, to, _)| Some(from) == query.get("From") && Some(to) == query.get("To"))
            .map(|(sid, _, _, body)| json!({"sid": sid, "status": "delivered", "body": body, "num_segments": "1"}))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"messages": messages}))
    }
}
