"""The HSDS paths of the OpenAPI 3.1 description (merged into /api/openapi.json).

Kept beside the routes it describes, apart from them so each file does one job.
"""

from __future__ import annotations

from typing import Any

from portal.api.openapi import PRINTABLE
from portal.forms import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE
from portal.opendata import hsds
from portal.opendata.routes import SCHEMA_BASE, SEARCH_MAX


def hsds_openapi_paths() -> dict[str, Any]:
    """The HSDS paths for the OpenAPI 3.1 description (merged into /api/openapi.json)."""
    error = {
        "description": "A parameter was not understood (400) or no such published record (404).",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                                "field": {"type": "string"},
                            },
                        }
                    },
                }
            }
        },
    }

    def query(name: str, description: str, schema: dict) -> dict:
        return {
            "name": name,
            "in": "query",
            "required": False,
            "description": description,
            "schema": schema,
        }

    paging = [
        query(
            "page",
            f"Page number, 1 to {MAX_PAGE:,}.",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
        ),
        query(
            "per_page",
            f"Records per page, 1 to {MAX_PER_PAGE}.",
            {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
        ),
        query(
            "search",
            "Words found in the name, description, city, state or ZIP (no control characters).",
            {"type": "string", "maxLength": SEARCH_MAX, "pattern": PRINTABLE},
        ),
        query(
            "full",
            "true: fully nested records instead of list items.",
            {"type": "boolean", "default": False},
        ),
    ]
    by_service = [
        query(
            "organization_id",
            "Only the services of this organization.",
            {"type": "string", "format": "uuid"},
        ),
        query(
            "taxonomy_term_id",
            f"Only services carrying this term of the {hsds.TAXONOMY_NAME} taxonomy "
            "(a category term matches any of its terms).",
            {"type": "string", "format": "uuid"},
        ),
        query(
            "taxonomy_id",
            "Only services carrying terms of this taxonomy.",
            {"type": "string", "format": "uuid"},
        ),
        query(
            "modified_after",
            "Only records changed at or after this time (UTC).",
            {"type": "string", "format": "date-time"},
        ),
    ]
    page_schema = {
        "type": "object",
        "required": [
            "total_items",
            "total_pages",
            "page_number",
            "size",
            "first_page",
            "last_page",
            "empty",
            "contents",
        ],
        "properties": {
            "total_items": {"type": "integer"},
            "total_pages": {"type": "integer"},
            "page_number": {"type": "integer"},
            "size": {"type": "integer", "description": "Records on this page."},
            "first_page": {"type": "boolean"},
            "last_page": {"type": "boolean"},
            "empty": {"type": "boolean"},
        },
    }
    root_schema = {
        "type": "object",
        "required": ["version", "profile", "openapi_url"],
        "properties": {
            "version": {"type": "string", "description": "HSDS version of this API."},
            "profile": {
                "type": "string",
                "format": "uri",
                "description": "Where our HSDS profile is described: HSDS 3.0 unchanged, "
                f"records classified with the {hsds.TAXONOMY_NAME} taxonomy.",
            },
            "openapi_url": {"type": "string", "format": "uri"},
            "taxonomies": {
                "type": "array",
                "items": {"type": "object"},
                "description": "The taxonomy our services' attributes use.",
            },
        },
    }
    titles = {
        "organizations": "organization",
        "services": "service",
        "service_at_locations": "service at location",
    }
    paths: dict[str, Any] = {
        "/api/v1/hsds/": {
            "get": {
                "tags": ["Open data (HSDS 3)"],
                "summary": "Which HSDS version and profile this API serves",
                "operationId": "hsdsAbout",
                "responses": {
                    "200": {
                        "description": "HSDS version, our profile, the OpenAPI URL and our "
                        "taxonomy.",
                        "content": {"application/json": {"schema": root_schema}},
                    }
                },
            }
        }
    }
    for collection, (kind, _whole, _summary) in hsds.COLLECTIONS.items():
        name = "".join(part.title() for part in collection.split("_"))
        listed = {
            **page_schema,
            "properties": {
                **page_schema["properties"],
                "contents": {
                    "type": "array",
                    "items": {"$ref": f"{SCHEMA_BASE}/{kind}_list.json"},
                },
            },
        }
        paths[f"/api/v1/hsds/{collection}"] = {
            "get": {
                "tags": ["Open data (HSDS 3)"],
                "summary": f"Published listings as HSDS {titles[collection]} records, paged",
                "operationId": f"hsdsList{name}",
                "parameters": paging + (by_service if collection != "organizations" else []),
                "responses": {
                    "200": {
                        "description": "One page of records, oldest listing first.",
                        "content": {"application/json": {"schema": listed}},
                    },
                    "400": error,
                    "429": {
                        **error,
                        "description": "Too many requests from this address in a short time "
                        "(`full=true` pages have a lower limit); `Retry-After` says when to "
                        "try again.",
                    },
                },
            }
        }
        paths[f"/api/v1/hsds/{collection}/{{id}}"] = {
            "parameters": [
                {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "format": "uuid"},
                }
            ],
            "get": {
                "tags": ["Open data (HSDS 3)"],
                "summary": f"One published HSDS {titles[collection]}, fully nested",
                "operationId": f"hsdsGet{name}",
                "responses": {
                    "200": {
                        "description": f"The {titles[collection]}.",
                        "content": {
                            "application/json": {"schema": {"$ref": f"{SCHEMA_BASE}/{kind}.json"}}
                        },
                    },
                    "404": error,
                },
            },
        }
    return paths
