"""Real WordPress REST answers, for the responses-based tests of channels/wordpress/.

Captured from WordPress 6.1.9 (Debian bookworm) set up by scripts/wordpress-test-site.sh,
with the host renamed to blog.example.org and the `_links` / avatar noise left out.
Where this site cannot produce an answer (incorrect_password surfaces as
rest_not_logged_in on 6.1, see below), the body is WordPress's own code and message
for it, as wp-includes/user.php builds them.
"""

from __future__ import annotations

from typing import Any

SITE = "https://blog.example.org"
ROOT = f"{SITE}/wp-json/"
QUERY_ROOT = f"{SITE}/?rest_route=/"
USER = "comms"
APP_PASSWORD = "Ab3d EfGh 1jKl MnOp QrSt UvWx"
KEY = "9f1c2e7ab44d4a0c8e5f6a7b8c9d0e1f"

#: What WordPress sends with every REST answer (Link announces the API root).
REST_HEADERS = {
    "X-Powered-By": "PHP/8.2.36",
    "X-Robots-Tag": "noindex",
    "Link": f'<{ROOT}>; rel="https://api.w.org/"',
    "X-Content-Type-Options": "nosniff",
    "Access-Control-Expose-Headers": "X-WP-Total, X-WP-TotalPages, Link",
    "Access-Control-Allow-Headers": "Authorization, X-WP-Nonce, Content-Disposition, "
    "Content-MD5, Content-Type",
    "Expires": "Wed, 11 Jan 1984 05:00:00 GMT",
    "Cache-Control": "no-cache, must-revalidate, max-age=0",
}
#: A HEAD of the home page: the theme's page, with the REST root in Link.
HOME_HEADERS = {
    "X-Powered-By": "PHP/8.2.36",
    "Link": f'<{ROOT}>; rel="https://api.w.org/"',
}


def error(code: str, message: str, status: int, **data: Any) -> dict[str, Any]:
    """A WP_Error as the REST server serialises it."""
    return {"code": code, "message": message, "data": {"status": status, **data}}


# ---------------------------------------------------------------- successes

#: An excerpt of the 70 capabilities an administrator has (all true in users/me).
ADMIN_CAPABILITIES = (
    "switch_themes", "edit_themes", "activate_plugins", "manage_categories", "upload_files",
    "unfiltered_html", "edit_posts", "edit_others_posts", "edit_published_posts",
    "publish_posts", "edit_pages", "read", "level_10", "level_0", "delete_posts",
    "delete_published_posts", "administrator",
)  # fmt: skip

USER_ME_ADMIN = {
    "id": 1,
    "username": USER,
    "name": "Service communication",
    "first_name": "",
    "last_name": "",
    "email": "comms@example.org",
    "url": SITE,
    "description": "",
    "link": f"{SITE}/author/comms/",
    "locale": "fr_FR",
    "nickname": USER,
    "slug": USER,
    "roles": ["administrator"],
    "registered_date": "2026-11-29T16:28:08+00:00",
    "capabilities": dict.fromkeys(ADMIN_CAPABILITIES, True),
    "extra_capabilities": {"administrator": True},
    "meta": {"persisted_preferences": []},
}

USER_ME_SUBSCRIBER = {
    "id": 2,
    "username": "benevole",
    "name": "benevole",
    "first_name": "",
    "last_name": "",
    "email": "benevole@example.org",
    "url": "",
    "description": "",
    "link": f"{SITE}/author/benevole/",
    "locale": "en_US",
    "nickname": "benevole",
    "slug": "benevole",
    "roles": ["subscriber"],
    "registered_date": "2026-11-29T16:28:08+00:00",
    "capabilities": {"read": True, "level_0": True, "subscriber": True},
    "extra_capabilities": {"subscriber": True},
    "meta": {"persisted_preferences": []},
}

#: A Contributor: may write drafts (edit_posts) but not publish them.
USER_ME_CONTRIBUTOR = {
    **USER_ME_SUBSCRIBER,
    "roles": ["contributor"],
    "capabilities": dict.fromkeys(
        ["edit_posts", "read", "level_1", "level_0", "delete_posts", "contributor"], True
    ),
    "extra_capabilities": {"contributor": True},
}


def term(term_id: int, name: str, slug: str, taxonomy: str = "post_tag") -> dict[str, Any]:
    """A tag or category as wp/v2/tags and wp/v2/categories list them."""
    base = "tag" if taxonomy == "post_tag" else "category"
    found: dict[str, Any] = {
        "id": term_id,
        "count": 0,
        "description": "",
        "link": f"{SITE}/{base}/{slug}/",
        "name": name,
        "slug": slug,
        "taxonomy": taxonomy,
        "meta": [],
    }
    if taxonomy == "category":
        found["parent"] = 0
    return found


#: POST wp/v2/tags {"name": "Café & co"}: WordPress stores and returns "&" as "&amp;".
TAG_CAFE = term(2, "Café &amp; co", "cafe-co")
#: The same name posted again (any case): refused, with the existing term's id.
TERM_EXISTS = {
    "code": "term_exists",
    "message": "A term with the name provided already exists in this taxonomy.",
    "data": {"status": 400, "term_id": 2},
    "additional_data": [2, 2],
}
CATEGORY_EVENTS = term(3, "Événements", "evenements", taxonomy="category")

MEDIA_ID = 4
MEDIA_CREATED = {
    "id": MEDIA_ID,
    "date": "2026-11-29T16:28:47",
    "date_gmt": "2026-11-29T16:28:47",
    "guid": {
        "rendered": f"{SITE}/wp-content/uploads/2026/11/atelier-ete.png",
        "raw": f"{SITE}/wp-content/uploads/2026/11/atelier-ete.png",
    },
    "slug": "atelier-ete",
    "status": "inherit",
    "type": "attachment",
    "link": f"{SITE}/atelier-ete/",
    "title": {"raw": "atelier-ete", "rendered": "atelier-ete"},
    "author": 1,
    "alt_text": "",
    "media_type": "image",
    "mime_type": "image/png",
    "media_details": {"width": 4, "height": 4, "file": "2026/11/atelier-ete.png", "sizes": {}},
    "post": None,
    "source_url": f"{SITE}/wp-content/uploads/2026/11/atelier-ete.png",
    "missing_image_sizes": [],
}
MEDIA_UPDATED = {**MEDIA_CREATED, "alt_text": "Une tasse de café sur l'établi"}

POST_ID = 5
POST_SLUG = "cafe-reparation-l-ete-a-lyon-9f1c2e7a"
POST_LINK = f"{SITE}/2026/11/{POST_SLUG}/"


def post(**fields: Any) -> dict[str, Any]:
    """A post as wp/v2/posts answers it in context=edit (the create's answer too)."""
    created = {
        "id": POST_ID,
        "date": "2026-11-29T17:28:50",
        "date_gmt": "2026-11-29T16:28:50",
        "guid": {"rendered": POST_LINK, "raw": POST_LINK},
        "modified": "2026-11-29T17:28:50",
        "modified_gmt": "2026-11-29T16:28:50",
        "password": "",
        "slug": POST_SLUG,
        "status": "publish",
        "type": "post",
        "link": POST_LINK,
        "title": {
            "raw": "Café réparation : l'été à Lyon",
            "rendered": "Café réparation : l&#8217;été à Lyon",
        },
        "content": {"raw": "<p>Hello</p>", "rendered": "<p>Hello</p>\n", "protected": False,
                    "block_version": 0},
        "excerpt": {"raw": "Hello", "rendered": "<p>Hello</p>\n", "protected": False},
        "author": 1,
        "featured_media": 0,
        "comment_status": "open",
        "ping_status": "open",
        "sticky": False,
        "template": "",
        "format": "standard",
        "meta": [],
        "categories": [1],
        "tags": [],
        "permalink_template": f"{SITE}/2026/11/%postname%/",
        "generated_slug": "cafe-reparation-lete-a-lyon",
    }  # fmt: skip
    return {**created, **fields}


# ---------------------------------------------------------------- errors seen on 6.1.9

#: A wrong or revoked application password (6.1 reports it this way: see the module doc).
REST_NOT_LOGGED_IN = error("rest_not_logged_in", "You are not currently logged in.", 401)
#: A wrong password on POST wp/v2/posts (or media): refused as "cannot create", but 401.
CANNOT_CREATE_POSTS_401 = error(
    "rest_cannot_create", "Sorry, you are not allowed to create posts as this user.", 401
)
#: A Subscriber creating a post.
CANNOT_CREATE_POSTS_403 = error(
    "rest_cannot_create", "Sorry, you are not allowed to create posts as this user.", 403
)
#: A Subscriber creating a tag.
CANNOT_CREATE_TERMS_403 = error(
    "rest_cannot_create", "Sorry, you are not allowed to create terms in this taxonomy.", 403
)


def forbidden_status(status: int) -> dict[str, Any]:
    """status=any without the right to see drafts: 400, the real status inside (401 or 403)."""
    return {
        "code": "rest_invalid_param",
        "message": "Invalid parameter(s): status",
        "data": {
            "status": 400,
            "params": {"status": "Status is forbidden."},
            "details": {
                "status": {
                    "code": "rest_forbidden_status",
                    "message": "Status is forbidden.",
                    "data": {"status": status},
                }
            },
        },
    }


INVALID_STATUS_PARAM = {
    "code": "rest_invalid_param",
    "message": "Invalid parameter(s): status",
    "data": {
        "status": 400,
        "params": {"status": "status is not one of publish, future, draft, pending, and private."},
        "details": {
            "status": {
                "code": "rest_not_in_enum",
                "message": "status is not one of publish, future, draft, pending, and private.",
                "data": None,
            }
        },
    },
}
NO_ROUTE = error("rest_no_route", "No route was found matching the URL and request method.", 404)
UPLOAD_REFUSED_TYPE = error(
    "rest_upload_sideload_error", "Sorry, you are not allowed to upload this file type.", 500
)
UPLOAD_NO_DISPOSITION = error(
    "rest_upload_no_content_disposition", "No Content-Disposition supplied.", 400
)

# ---------------------------------------------------------------- errors from WordPress's code

#: wp_authenticate_application_password, when the REST check sees it (newer WordPress).
INCORRECT_PASSWORD = error(
    "incorrect_password", "The provided password is an invalid application password.", 401
)
INVALID_USERNAME = error(
    "invalid_username",
    "<strong>Error:</strong> Unknown username. Check again or try your email address.",
    401,
)
INVALID_EMAIL = error(
    "invalid_email",
    "<strong>Error:</strong> Unknown email address. Check again or try your username.",
    401,
)
PASSWORDS_DISABLED = error(
    "application_passwords_disabled", "Application passwords are not available.", 401
)
PASSWORDS_DISABLED_FOR_USER = error(
    "application_passwords_disabled_for_user",
    "Application passwords are not available for your account. "
    "Please contact the site administrator for assistance.",
    401,
)
CANNOT_PUBLISH = error(
    "rest_cannot_publish", "Sorry, you are not allowed to publish posts as this user.", 403
)
CANNOT_ASSIGN_TERM = error(
    "rest_cannot_assign_term", "Sorry, you are not allowed to assign the provided terms.", 403
)
#: WordPress's fatal-error handler, when a plugin crashes during the request.
CRITICAL_ERROR = {
    "code": "internal_server_error",
    "message": "<p>There has been a critical error on this website.</p><p><a "
    'href="https://wordpress.org/documentation/article/faq-troubleshooting/">Learn more '
    "about troubleshooting WordPress.</a></p>",
    "data": {"status": 500},
    "additional_errors": [],
}

# ---------------------------------------------------------------- not WordPress's JSON

#: wp_maintenance() while WordPress updates itself: 503 with Retry-After 600.
MAINTENANCE_HTML = (
    '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; '
    'charset=utf-8" /><title>Maintenance</title></head><body><h1>Briefly unavailable for '
    "scheduled maintenance. Check back in a minute.</h1></body></html>"
)
#: Apache mod_security refusing a request body it dislikes.
MOD_SECURITY_406 = (
    '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>406 Not '
    "Acceptable</title>\n</head><body>\n<h1>Not Acceptable</h1>\n<p>An appropriate "
    "representation of the requested resource could not be found on this server. This error "
    "was generated by Mod_Security.</p>\n</body></html>\n"
)
#: A host's rate limiter in front of WordPress.
TOO_MANY_REQUESTS_HTML = "<html><body><h1>429 Too Many Requests</h1></body></html>"
