"""A generated WordPress export of any size, written as a stream (the bench and a test use it)."""

from datetime import UTC, datetime, timedelta

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Generated</title><link>https://big.example</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login>editor</wp:author_login></wp:author>
"""
STATUSES = ["1"] * 8 + ["0", "spam"]
START = datetime(2015, 1, 1, tzinfo=UTC)


def write_wxr(path, comments: int, per_post: int = 50) -> None:
    """Write `comments` comments, `per_post` to a post; every third replies to an earlier one."""
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEAD)
        for post_start in range(0, comments, per_post):
            post = post_start // per_post + 1
            out.write(
                f"<item><title>Post {post}</title><link>https://big.example/{post}/post-{post}/</link>"
                f"<content:encoded><![CDATA[{'Body text. ' * 50}]]></content:encoded>"
                f"<wp:post_id>{post}</wp:post_id><wp:post_name>post-{post}</wp:post_name>"
                "<wp:comment_status>open</wp:comment_status><wp:post_type>post</wp:post_type>\n"
            )
            for n in range(post_start + 1, min(post_start + per_post, comments) + 1):
                parent = n - 1 if n % 3 == 0 and n - 1 > post_start else 0
                when = START + timedelta(minutes=n)
                out.write(
                    "<wp:comment>"
                    f"<wp:comment_id>{n}</wp:comment_id>"
                    f"<wp:comment_author><![CDATA[Reader {n % 997}]]></wp:comment_author>"
                    f"<wp:comment_author_email>r{n % 997}@example.org</wp:comment_author_email>"
                    "<wp:comment_author_url></wp:comment_author_url>"
                    f"<wp:comment_author_IP>192.0.2.{n % 250}</wp:comment_author_IP>"
                    f"<wp:comment_date>{when:%Y-%m-%d %H:%M:%S}</wp:comment_date>"
                    f"<wp:comment_date_gmt>{when:%Y-%m-%d %H:%M:%S}</wp:comment_date_gmt>"
                    f"<wp:comment_content><![CDATA[Comment {n}: some <em>thoughts</em> "
                    f"on post {post}, a link https://example.org/{n}.\n\nA second paragraph.]]>"
                    "</wp:comment_content>"
                    f"<wp:comment_approved>{STATUSES[n % len(STATUSES)]}</wp:comment_approved>"
                    "<wp:comment_type></wp:comment_type>"
                    f"<wp:comment_parent>{parent}</wp:comment_parent>"
                    "<wp:comment_user_id>0</wp:comment_user_id>"
                    "</wp:comment>\n"
                )
            out.write("</item>\n")
        out.write("</channel></rss>\n")
