"""intake: what monitoring tools push (DingTalk, WeCom and Feishu robot protocols, or the JSON
API) becomes leads, and leads become incidents and heat (C06, C07). A capability app: it calls
the incident core's actions (detect_incident, record_metrics) and never writes incident state."""
