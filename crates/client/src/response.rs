//! Reading answers: status and body to a value or a [`ClientError`]. Pure, tested natively
//! on responses recorded from the real server.

use flowgate_core::parse;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ClientError, ValidationDetail};
use crate::options::Auth;

/// What a response was, before decoding its body.
pub(crate) fn check_status(
    url: &str,
    status: u16,
    html: bool,
    body: &str,
    auth: Option<&Auth>,
    what: impl FnOnce() -> String,
) -> Result<(), ClientError> {
    match status {
        // An HTML page is never Prefect's answer (a sign-in page, a portal answered for it).
        200..=299 if html => Err(ClientError::Http {
            status,
            message: server_message(body),
        }),
        200..=299 => Ok(()),
        // A proxy in front of Prefect (Trunk's in development, a load balancer) answers
        // these when it cannot reach the server: for the user, the server is unreachable.
        502 | 504 => Err(ClientError::Unreachable {
            url: url.to_owned(),
            detail: format!("the proxy in front of it answered HTTP {status}"),
        }),
        401 | 403 => Err(ClientError::Unauthorized {
            status,
            credential: auth.map(|a| a.kind().to_owned()),
        }),
        // FastAPI's answer for a path it has no route for; Prefect names what it did not find
        // ("Flow run not found"). A URL without Prefect's /api, or a server that is not
        // Prefect, gives this: the fault is the URL, not the run.
        404 if server_message(body) == "Not Found" => Err(ClientError::NoSuchEndpoint {
            url: url.to_owned(),
        }),
        404 => Err(ClientError::NotFound { what: what() }),
        422 => Err(validation_error(body)),
        _ => Err(ClientError::Http {
            status,
            message: server_message(body),
        }),
    }
}

/// A 2xx body decoded into `T`.
pub(crate) fn decode<T: DeserializeOwned>(
    url: &str,
    what: &'static str,
    body: &str,
) -> Result<T, ClientError> {
    parse::from_str(what, body).map_err(|error| ClientError::Decode {
        url: url.to_owned(),
        error,
    })
}

/// Prefect's 422 shape: `exception_message` and `exception_detail[{loc, msg}]`.
fn validation_error(body: &str) -> ClientError {
    let value: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let message = value["exception_message"]
        .as_str()
        .or_else(|| value["detail"].as_str())
        .unwrap_or("Invalid request received.")
        .to_owned();
    let entries = value["exception_detail"]
        .as_array()
        .or_else(|| value["detail"].as_array());
    let details = entries
        .map(|entries| {
            entries
                .iter()
                .map(|entry| ValidationDetail {
                    location: entry["loc"]
                        .as_array()
                        .map(|loc| {
                            loc.iter()
                                .map(|part| match part {
                                    Value::String(s) => s.clone(),
                                    other => other.to_string(),
                                })
                                .collect::<Vec<_>>()
                                .join(".")
                        })
                        .unwrap_or_default(),
                    message: entry["msg"].as_str().unwrap_or_default().to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    ClientError::Validation { message, details }
}

/// The server's own words from an error body: `detail`, `exception_message`, or the text.
pub(crate) fn server_message(body: &str) -> String {
    if let Ok(value) = serde_json::from_str::<Value>(body) {
        for key in ["detail", "exception_message"] {
            match &value[key] {
                Value::String(message) => return message.clone(),
                Value::Null => {}
                other => return other.to_string(),
            }
        }
    }
    let text = body.trim();
    if text.is_empty() {
        "no message".into()
    } else if text.starts_with('<') {
        // An HTML page is never Prefect's answer: something between answered for it.
        let title = text
            .split_once("<title>")
            .and_then(|(_, rest)| rest.split_once("</title>"))
            .map(|(title, _)| title.trim())
            .filter(|title| !title.is_empty());
        match title {
            Some(title) => format!(
                "an HTML page titled \"{}\", not Prefect's answer (from a proxy or gateway in between?)",
                title.chars().take(100).collect::<String>()
            ),
            None => {
                "an HTML page, not Prefect's answer (from a proxy or gateway in between?)".into()
            }
        }
    } else {
        text.chars().take(300).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "http://127.0.0.1:8080/api/flow_runs/1";

    fn status(status: u16, body: &str, auth: Option<&Auth>) -> ClientError {
        check_status(URL, status, false, body, auth, || "Flow run 1".into())
            .expect_err("an error status")
    }

    #[test]
    fn error_bodies_of_every_shape_become_named_errors() {
        let unprocessable = r#"{"exception_message":"Invalid request received.","exception_detail":[{"type":"dict_type","loc":["body","run_input"],"msg":"Input should be a valid dictionary","input":"str"}],"request_body":{"run_input":"str"}}"#;
        match status(422, unprocessable, None) {
            ClientError::Validation { message, details } => {
                assert_eq!(message, "Invalid request received.");
                assert_eq!(
                    details,
                    vec![ValidationDetail {
                        location: "body.run_input".into(),
                        message: "Input should be a valid dictionary".into()
                    }]
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            status(404, r#"{"detail":"Flow run not found"}"#, None),
            ClientError::NotFound {
                what: "Flow run 1".into()
            }
        );
        // FastAPI's own 404, for a path it has no route for (an API URL without /api).
        assert!(matches!(
            status(404, r#"{"detail":"Not Found"}"#, None),
            ClientError::NoSuchEndpoint { .. }
        ));
        assert_eq!(
            status(
                400,
                r#"{"detail":"Invalid X-PREFECT-API-VERSION header format."}"#,
                None
            ),
            ClientError::Http {
                status: 400,
                message: "Invalid X-PREFECT-API-VERSION header format.".into()
            }
        );
        assert_eq!(
            status(
                500,
                r#"{"exception_message":"Internal Server Error"}"#,
                None
            ),
            ClientError::Http {
                status: 500,
                message: "Internal Server Error".into()
            }
        );
        assert!(
            matches!(status(502, "", None), ClientError::Unreachable { .. }),
            "a gateway that cannot reach Prefect means the server is unreachable"
        );
        // nginx's own page, as it answers when Prefect is down behind it.
        let nginx = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
        assert_eq!(
            status(502, nginx, None).to_string(),
            "Cannot reach the Prefect server at http://127.0.0.1:8080/api/flow_runs/1: the proxy in front of it answered HTTP 502. Is it running, and is the API URL right?"
        );
        let sign_in = "<html><body>Sign in</body></html>";
        assert_eq!(
            check_status(URL, 200, true, sign_in, None, || "Flow run 1".into()),
            Err(ClientError::Http {
                status: 200,
                message: "an HTML page, not Prefect's answer (from a proxy or gateway in between?)"
                    .into()
            })
        );
        assert_eq!(
            check_status(URL, 200, false, "{}", None, || "Flow run 1".into()),
            Ok(())
        );
        assert_eq!(
            status(501, "", None),
            ClientError::Http {
                status: 501,
                message: "no message".into()
            }
        );
        let bearer = Auth::Bearer("pnu_secret".into());
        let refused = status(
            401,
            r#"{"exception_message":"Unauthorized"}"#,
            Some(&bearer),
        );
        assert_eq!(
            refused.to_string(),
            "The Prefect server refused the API key (HTTP 401); check it in the settings."
        );
        assert!(
            status(403, "", Some(&bearer))
                .to_string()
                .contains("may not do this")
        );
    }

    #[test]
    fn undecodable_answers_name_the_json_path() {
        let err = decode::<flowgate_core::FlowRunPage>(
            "http://x/api/flow_runs/paginate",
            "flow run page",
            r#"{"results": [], "count": "many"}"#,
        )
        .expect_err("count is no number");
        match &err {
            ClientError::Decode { url, error } => {
                assert_eq!(url, "http://x/api/flow_runs/paginate");
                assert_eq!(error.path, "count");
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains("`count`"), "{err}");
    }
}
