/// The OpenAPI 3.1 document of every route, written by hand (swift-openapi-generator would generate the routes
/// from it, at a build-time cost this first cut does not pay): served at `/openapi.json`; a test checks that every
/// route the router registers is in it, and that it parses.
enum OpenAPIDocument {
    static let json = #"""
{
 "components": {
  "responses": {
   "Error": {
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     },
     "text/html": {
      "schema": {
       "type": "string"
      }
     }
    },
    "description": "an error: JSON under /api/, an HTML page elsewhere"
   }
  },
  "schemas": {
   "AuditPage": {
    "properties": {
     "entries": {
      "items": {
       "properties": {
        "action": {
         "type": "string"
        },
        "actor": {
         "type": "string"
        },
        "actorKind": {
         "type": "string"
        },
        "at": {
         "type": "integer"
        },
        "count": {
         "type": "integer"
        },
        "detail": {
         "type": "string"
        },
        "reason": {
         "type": "string"
        },
        "role": {
         "type": "string"
        },
        "seq": {
         "type": "integer"
        },
        "source": {
         "type": "string"
        },
        "subject": {
         "type": "string"
        }
       },
       "type": "object"
      },
      "type": "array"
     },
     "matched": {
      "type": "integer"
     },
     "total": {
      "type": "integer"
     }
    },
    "type": "object"
   },
   "Dashboard": {
    "properties": {
     "auditEntries": {
      "type": "integer"
     },
     "caseload": {
      "type": "integer"
     },
     "flagged": {
      "type": "integer"
     },
     "latestScoreAsOf": {
      "type": "string"
     },
     "linkedPersons": {
      "type": "integer"
     },
     "pendingReviews": {
      "type": "integer"
     },
     "role": {
      "type": "string"
     },
     "user": {
      "type": "string"
     },
     "users": {
      "type": "integer"
     }
    },
    "type": "object"
   },
   "Error": {
    "properties": {
     "error": {
      "type": "string"
     },
     "message": {
      "type": "string"
     }
    },
    "type": "object"
   },
   "Me": {
    "properties": {
     "csrfToken": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "role": {
      "type": "string"
     }
    },
    "type": "object"
   },
   "PersonView": {
    "properties": {
     "assignedTo": {
      "type": "string"
     },
     "chronology": {
      "description": "UpstreamChronology's Chronology (docs/chronology.md), pseudonymised",
      "type": "object"
     },
     "identified": {
      "type": "boolean"
     },
     "mayIdentify": {
      "type": "boolean"
     },
     "provenanceWithheld": {
      "type": "boolean"
     },
     "scores": {
      "items": {
       "properties": {
        "asOf": {
         "type": "string"
        },
        "score": {
         "type": "number"
        }
       },
       "type": "object"
      },
      "type": "array"
     }
    },
    "type": "object"
   },
   "Quality": {
    "properties": {
     "quarantine": {
      "items": {
       "properties": {
        "field": {
         "type": "string"
        },
        "reason": {
         "type": "string"
        },
        "rows": {
         "type": "string"
        },
        "source": {
         "type": "string"
        }
       },
       "type": "object"
      },
      "type": "array"
     },
     "sources": {
      "items": {
       "properties": {
        "agency": {
         "type": "string"
        },
        "deliveries": {
         "type": "integer"
        },
        "personRecords": {
         "type": "string"
        },
        "quarantined": {
         "type": "string"
        },
        "records": {
         "type": "string"
        },
        "source": {
         "type": "string"
        }
       },
       "type": "object"
      },
      "type": "array"
     }
    },
    "type": "object"
   },
   "Queue": {
    "properties": {
     "asOf": {
      "type": "string"
     },
     "decisions": {
      "items": {
       "type": "string"
      },
      "type": "array"
     },
     "items": {
      "items": {
       "properties": {
        "age": {
         "type": "integer"
        },
        "asOf": {
         "type": "string"
        },
        "assignedTo": {
         "type": "string"
        },
        "history": {
         "items": {
          "properties": {
           "at": {
            "type": "integer"
           },
           "by": {
            "type": "string"
           },
           "reason": {
            "type": "string"
           },
           "what": {
            "type": "string"
           }
          },
          "type": "object"
         },
         "type": "array"
        },
        "pseudonym": {
         "type": "string"
        },
        "rank": {
         "type": "integer"
        },
        "reasons": {
         "items": {
          "type": "string"
         },
         "type": "array"
        },
        "score": {
         "type": "number"
        },
        "state": {
         "type": "string"
        },
        "trend": {
         "items": {
          "properties": {
           "asOf": {
            "type": "string"
           },
           "score": {
            "type": "number"
           }
          },
          "type": "object"
         },
         "type": "array"
        }
       },
       "type": "object"
      },
      "type": "array"
     },
     "page": {
      "type": "integer"
     },
     "pages": {
      "type": "integer"
     },
     "practitioners": {
      "items": {
       "type": "string"
      },
      "type": "array"
     },
     "total": {
      "type": "integer"
     }
    },
    "type": "object"
   },
   "Users": {
    "items": {
     "properties": {
      "caseload": {
       "type": "integer"
      },
      "disabled": {
       "type": "boolean"
      },
      "failedLogins": {
       "type": "integer"
      },
      "locked": {
       "type": "boolean"
      },
      "name": {
       "type": "string"
      },
      "role": {
       "type": "string"
      }
     },
     "type": "object"
    },
    "type": "array"
   }
  },
  "securitySchemes": {
   "session": {
    "in": "cookie",
    "name": "upstream_session",
    "type": "apiKey"
   }
  }
 },
 "info": {
  "description": "Pages and the JSON API of `upstream serve`. Every operation except those with an empty security list needs the session cookie; x-roles lists the roles allowed (others get 403). Synthetic data only.",
  "title": "Upstream web app",
  "version": "1.0.0"
 },
 "openapi": "3.1.0",
 "paths": {
  "/": {
   "get": {
    "responses": {
     "200": {
      "content": {
       "text/html": {
        "schema": {
         "type": "string"
        }
       }
      },
      "description": "an HTML page"
     },
     "303": {
      "description": "redirect (303) to the next page"
     }
    },
    "summary": "the dashboard",
    "x-roles": [
     "analyst",
     "practitioner",
     "supervisor",
     "auditor",
     "admin"
    ]
   }
  },
  "/admin/users": {
   "get": {
    "responses": {
     "200": {
      "content": {
       "text/html": {
        "schema": {
         "type": "string"
        }
       }
      },
      "description": "an HTML page"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     }
    },
    "summary": "users and roles",
    "x-roles": [
     "admin"
    ]
   },
   "post": {
    "requestBody": {
     "content": {
      "application/x-www-form-urlencoded": {
       "schema": {
        "properties": {
         "csrf": {
          "description": "the session's CSRF token",
          "type": "string"
         },
         "name": {
          "type": "string"
         },
         "role": {
          "type": "string"
         }
        },
        "required": [
         "csrf",
         "name",
         "role"
        ],
        "type": "object"
       }
      }
     },
     "required": true
    },
    "responses": {
     "200": {
      "content": {
       "text/html": {
        "schema": {
         "type": "string"
        }
       }
      },
      "description": "an HTML page"
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     }
    },
    "summary": "add a user (the password is shown once)",
    "x-roles": [
     "admin"
    ]
   }
  },
  "/admin/users/{name}/{action}": {
   "post": {
    "parameters": [
     {
      "in": "path",
      "name": "name",
      "required": true,
      "schema": {
       "type": "string"
      }
     },
     {
      "in": "path",
      "name": "action",
      "required": true,
      "schema": {
       "enum": [
        "role",
        "disable",
        "enable",
        "unlock"
       ],
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "content": {
      "application/x-www-form-urlencoded": {
       "schema": {
        "properties": {
         "csrf": {
          "description": "the session's CSRF token",
          "type": "string"
         },
         "role": {
          "type": "string"
         }
        },
        "required": [
         "csrf"
        ],
        "type": "object"
       }
      }
     },
     "required": true
    },
    "responses": {
     "303": {
      "description": "redirect (303) to the next page"
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     }
    },
    "summary": "change a user's role, disable, enable or unlock them",
    "x-roles": [
     "admin"
    ]
   }
  },
  "/api/v1/audit": {
   "get": {
    "parameters": [
     {
      "description": "exact user name",
      "in": "query",
      "name": "actor",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "description": "action prefix",
      "in": "query",
      "name": "action",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "description": "exact subject",
      "in": "query",
      "name": "subject",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "description": "first date, YYYY-MM-DD",
      "in": "query",
      "name": "from",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "description": "last date, YYYY-MM-DD",
      "in": "query",
      "name": "to",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "in": "query",
      "name": "limit",
      "required": false,
      "schema": {
       "maximum": 1000,
       "minimum": 1,
       "type": "integer"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/AuditPage"
        }
       }
      },
      "description": "JSON"
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     }
    },
    "summary": "audit trail entries, newest first",
    "x-roles": [
     "auditor"
    ]
   }
  },
  "/api/v1/dashboard": {
   "get": {
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Dashboard"
        }
       }
      },
      "description": "JSON"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     }
    },
    "summary": "the dashboard's figures",
    "x-roles": [
     "analyst",
     "practitioner",
     "supervisor",
     "auditor",
     "admin"
    ]
   }
  },
  "/api/v1/me": {
   "get": {
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Me"
        }
       }
      },
      "description": "JSON"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     }
    },
    "summary": "who is signed in, and the CSRF token for API writes",
    "x-roles": [
     "analyst",
     "practitioner",
     "supervisor",
     "auditor",
     "admin"
    ]
   }
  },
  "/api/v1/people/{pseudonym}": {
   "get": {
    "parameters": [
     {
      "description": "the young person's pseudonym",
      "in": "path",
      "name": "pseudonym",
      "required": true,
      "schema": {
       "pattern": "^YP-[0-9A-Z]{20}$",
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/PersonView"
        }
       }
      },
      "description": "JSON"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     }
    },
    "summary": "one chronology, pseudonymised (audited)",
    "x-roles": [
     "analyst",
     "practitioner",
     "supervisor"
    ]
   }
  },
  "/api/v1/quality": {
   "get": {
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Quality"
        }
       }
      },
      "description": "JSON"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     }
    },
    "summary": "data quality counts",
    "x-roles": [
     "analyst",
     "supervisor",
     "admin"
    ]
   }
  },
  "/api/v1/queue": {
   "get": {
    "parameters": [
     {
      "description": "the page, 50 items each",
      "in": "query",
      "name": "page",
      "required": false,
      "schema": {
       "minimum": 1,
       "type": "integer"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Queue"
        }
       }
      },
      "description": "JSON"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     }
    },
    "summary": "the review queue",
    "x-roles": [
     "practitioner",
     "supervisor"
    ]
   }
  },
  "/api/v1/queue/{pseudonym}/decision": {
   "post": {
    "parameters": [
     {
      "description": "the young person's pseudonym",
      "in": "path",
      "name": "pseudonym",
      "required": true,
      "schema": {
       "pattern": "^YP-[0-9A-Z]{20}$",
       "type": "string"
      }
     },
     {
      "in": "header",
      "name": "X-CSRF-Token",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "properties": {
         "decision": {
          "enum": [
           "offer-support",
           "already-supported",
           "refer-for-assessment",
           "no-further-action"
          ],
          "type": "string"
         },
         "reason": {
          "maxLength": 500,
          "type": "string"
         }
        },
        "required": [
         "decision",
         "reason"
        ],
        "type": "object"
       }
      }
     },
     "required": true
    },
    "responses": {
     "200": {
      "description": "decided"
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     }
    },
    "summary": "decide on a flag (audited); needs the X-CSRF-Token header",
    "x-roles": [
     "practitioner",
     "supervisor"
    ]
   }
  },
  "/api/v1/users": {
   "get": {
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Users"
        }
       }
      },
      "description": "JSON"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     }
    },
    "summary": "users (no person data)",
    "x-roles": [
     "admin"
    ]
   }
  },
  "/assets/{name}": {
   "get": {
    "parameters": [
     {
      "in": "path",
      "name": "name",
      "required": true,
      "schema": {
       "enum": [
        "app.css",
        "favicon.svg"
       ],
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "the asset"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     }
    },
    "security": [],
    "summary": "a compiled-in asset (app.css, favicon.svg)"
   }
  },
  "/audit": {
   "get": {
    "parameters": [
     {
      "description": "exact user name",
      "in": "query",
      "name": "actor",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "description": "action prefix",
      "in": "query",
      "name": "action",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "description": "exact subject",
      "in": "query",
      "name": "subject",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "description": "first date, YYYY-MM-DD",
      "in": "query",
      "name": "from",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "description": "last date, YYYY-MM-DD",
      "in": "query",
      "name": "to",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "in": "query",
      "name": "limit",
      "required": false,
      "schema": {
       "maximum": 1000,
       "minimum": 1,
       "type": "integer"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "text/html": {
        "schema": {
         "type": "string"
        }
       }
      },
      "description": "an HTML page"
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     }
    },
    "summary": "the audit trail with filters",
    "x-roles": [
     "auditor"
    ]
   }
  },
  "/favicon.ico": {
   "get": {
    "responses": {
     "200": {
      "description": "SVG icon"
     }
    },
    "security": [],
    "summary": "the icon"
   }
  },
  "/health": {
   "get": {
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "properties": {
          "status": {
           "type": "string"
          }
         },
         "type": "object"
        }
       }
      },
      "description": "the server is up"
     }
    },
    "security": [],
    "summary": "liveness"
   }
  },
  "/login": {
   "get": {
    "responses": {
     "200": {
      "content": {
       "text/html": {
        "schema": {
         "type": "string"
        }
       }
      },
      "description": "an HTML page"
     },
     "303": {
      "description": "redirect (303) to the next page"
     }
    },
    "security": [],
    "summary": "the sign-in form (starts an anonymous session holding the CSRF token)"
   },
   "post": {
    "requestBody": {
     "content": {
      "application/x-www-form-urlencoded": {
       "schema": {
        "properties": {
         "csrf": {
          "description": "the session's CSRF token",
          "type": "string"
         },
         "name": {
          "type": "string"
         },
         "password": {
          "type": "string"
         }
        },
        "required": [
         "csrf",
         "name",
         "password"
        ],
        "type": "object"
       }
      }
     },
     "required": true
    },
    "responses": {
     "303": {
      "description": "redirect (303) to the next page"
     },
     "401": {
      "content": {
       "text/html": {
        "schema": {
         "type": "string"
        }
       }
      },
      "description": "an HTML page"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "429": {
      "$ref": "#/components/responses/Error"
     }
    },
    "security": [],
    "summary": "sign in: a new session id on success"
   }
  },
  "/logout": {
   "post": {
    "requestBody": {
     "content": {
      "application/x-www-form-urlencoded": {
       "schema": {
        "properties": {
         "csrf": {
          "description": "the session's CSRF token",
          "type": "string"
         }
        },
        "required": [
         "csrf"
        ],
        "type": "object"
       }
      }
     },
     "required": true
    },
    "responses": {
     "303": {
      "description": "redirect (303) to the next page"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     }
    },
    "security": [],
    "summary": "sign out"
   }
  },
  "/metrics": {
   "get": {
    "responses": {
     "200": {
      "content": {
       "text/plain": {
        "schema": {
         "type": "string"
        }
       }
      },
      "description": "Prometheus text format"
     }
    },
    "security": [],
    "summary": "Prometheus metrics (request counts and durations by route pattern; no personal data)"
   }
  },
  "/openapi.json": {
   "get": {
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      },
      "description": "OpenAPI 3.1"
     }
    },
    "security": [],
    "summary": "this document"
   }
  },
  "/people": {
   "get": {
    "parameters": [
     {
      "in": "query",
      "name": "pseudonym",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "303": {
      "description": "redirect (303) to the next page"
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     }
    },
    "summary": "open a chronology by pseudonym",
    "x-roles": [
     "analyst",
     "practitioner",
     "supervisor"
    ]
   }
  },
  "/people/{pseudonym}": {
   "get": {
    "parameters": [
     {
      "description": "the young person's pseudonym",
      "in": "path",
      "name": "pseudonym",
      "required": true,
      "schema": {
       "pattern": "^YP-[0-9A-Z]{20}$",
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "text/html": {
        "schema": {
         "type": "string"
        }
       }
      },
      "description": "an HTML page"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     }
    },
    "summary": "one young person's chronology, pseudonymised (audited)",
    "x-roles": [
     "analyst",
     "practitioner",
     "supervisor"
    ]
   }
  },
  "/people/{pseudonym}/identify": {
   "post": {
    "parameters": [
     {
      "description": "the young person's pseudonym",
      "in": "path",
      "name": "pseudonym",
      "required": true,
      "schema": {
       "pattern": "^YP-[0-9A-Z]{20}$",
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "content": {
      "application/x-www-form-urlencoded": {
       "schema": {
        "properties": {
         "csrf": {
          "description": "the session's CSRF token",
          "type": "string"
         },
         "purpose": {
          "type": "string"
         }
        },
        "required": [
         "csrf",
         "purpose"
        ],
        "type": "object"
       }
      }
     },
     "required": true
    },
    "responses": {
     "200": {
      "content": {
       "text/html": {
        "schema": {
         "type": "string"
        }
       }
      },
      "description": "an HTML page"
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     }
    },
    "summary": "the chronology with names and identifiers, for a stated purpose (audited)",
    "x-roles": [
     "practitioner",
     "supervisor"
    ]
   }
  },
  "/quality": {
   "get": {
    "responses": {
     "200": {
      "content": {
       "text/html": {
        "schema": {
         "type": "string"
        }
       }
      },
      "description": "an HTML page"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     }
    },
    "summary": "data quality and quarantine counts",
    "x-roles": [
     "analyst",
     "supervisor",
     "admin"
    ]
   }
  },
  "/queue": {
   "get": {
    "parameters": [
     {
      "description": "the page, 50 items each",
      "in": "query",
      "name": "page",
      "required": false,
      "schema": {
       "minimum": 1,
       "type": "integer"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "text/html": {
        "schema": {
         "type": "string"
        }
       }
      },
      "description": "an HTML page"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     }
    },
    "summary": "the practitioners' review queue",
    "x-roles": [
     "practitioner",
     "supervisor"
    ]
   }
  },
  "/queue/{pseudonym}/assign": {
   "post": {
    "parameters": [
     {
      "description": "the young person's pseudonym",
      "in": "path",
      "name": "pseudonym",
      "required": true,
      "schema": {
       "pattern": "^YP-[0-9A-Z]{20}$",
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "content": {
      "application/x-www-form-urlencoded": {
       "schema": {
        "properties": {
         "csrf": {
          "description": "the session's CSRF token",
          "type": "string"
         },
         "practitioner": {
          "type": "string"
         }
        },
        "required": [
         "csrf",
         "practitioner"
        ],
        "type": "object"
       }
      }
     },
     "required": true
    },
    "responses": {
     "303": {
      "description": "redirect (303) to the next page"
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     }
    },
    "summary": "assign to a practitioner (audited)",
    "x-roles": [
     "supervisor"
    ]
   }
  },
  "/queue/{pseudonym}/decide": {
   "post": {
    "parameters": [
     {
      "description": "the young person's pseudonym",
      "in": "path",
      "name": "pseudonym",
      "required": true,
      "schema": {
       "pattern": "^YP-[0-9A-Z]{20}$",
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "content": {
      "application/x-www-form-urlencoded": {
       "schema": {
        "properties": {
         "csrf": {
          "description": "the session's CSRF token",
          "type": "string"
         },
         "decision": {
          "type": "string"
         },
         "reason": {
          "type": "string"
         }
        },
        "required": [
         "csrf",
         "decision",
         "reason"
        ],
        "type": "object"
       }
      }
     },
     "required": true
    },
    "responses": {
     "303": {
      "description": "redirect (303) to the next page"
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     }
    },
    "summary": "decide on a flag (audited)",
    "x-roles": [
     "practitioner",
     "supervisor"
    ]
   }
  },
  "/queue/{pseudonym}/reopen": {
   "post": {
    "parameters": [
     {
      "description": "the young person's pseudonym",
      "in": "path",
      "name": "pseudonym",
      "required": true,
      "schema": {
       "pattern": "^YP-[0-9A-Z]{20}$",
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "content": {
      "application/x-www-form-urlencoded": {
       "schema": {
        "properties": {
         "csrf": {
          "description": "the session's CSRF token",
          "type": "string"
         },
         "reason": {
          "type": "string"
         }
        },
        "required": [
         "csrf",
         "reason"
        ],
        "type": "object"
       }
      }
     },
     "required": true
    },
    "responses": {
     "303": {
      "description": "redirect (303) to the next page"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     }
    },
    "summary": "reopen a decision (audited)",
    "x-roles": [
     "supervisor"
    ]
   }
  }
 },
 "security": [
  {
   "session": []
  }
 ],
 "servers": [
  {
   "url": "http://127.0.0.1:8080"
  }
 ]
}
"""#
}
