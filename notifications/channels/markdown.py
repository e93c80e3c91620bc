"""The markdown form shared by the chat robots that accept markdown (DingTalk, WeCom)."""
from notifications.message import Message


def render_markdown(message: Message, *, line_break: str, include_body: bool = True) -> str:
    """Title, labelled facts, the body, then the links to act and to acknowledge.

    DingTalk's renderer only breaks lines on a blank line, WeCom's on a single newline,
    so the caller chooses the separator.
    """
    lines = [f"### {message.title}"]
    lines += [f"**{label}**：{value}" for label, value in message.facts()]
    if message.body and include_body:
        lines.append(message.body)
    links = f"[{message.action_label()}]({message.action_url})"
    if message.ack_url:
        links += f" | [{message.ack_label()}]({message.ack_url})"
    lines.append(links)
    return line_break.join(lines)
