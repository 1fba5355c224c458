// Generated from schemas/*.schema.json by `npm run gen`. Do not edit: change the schema.

export type SchemaFile =
  | 'batch.schema.json'
  | 'common.schema.json'
  | 'ferry.schema.json'
  | 'instance-override.schema.json'
  | 'instance.schema.json'
  | 'network-override.schema.json'
  | 'project.schema.json'
  | 'resolution.schema.json'
  | 'simulation.schema.json'
  | 'source.schema.json'
  | 'target.schema.json';

/** The JSON Schemas of schemas/, by file name. */
export const SCHEMAS: { readonly [file in SchemaFile]: Record<string, unknown> } = {
  "batch.schema.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://ferry.dev/schemas/batch.schema.json",
    "title": "BatchDocument",
    "description": "A migration batch: which instances move, when, where and under which limits. The spec carries migration-manager's batch fields with their names, defaults and limits, plus Ferry's declarative `state`.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "apiVersion",
      "kind",
      "metadata",
      "spec"
    ],
    "properties": {
      "apiVersion": {
        "$ref": "common.schema.json#/$defs/ApiVersion"
      },
      "kind": {
        "const": "Batch"
      },
      "metadata": {
        "$ref": "common.schema.json#/$defs/Metadata"
      },
      "spec": {
        "$ref": "#/$defs/BatchSpec"
      }
    },
    "$defs": {
      "BatchSpec": {
        "title": "BatchSpec",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "include_expression"
        ],
        "properties": {
          "state": {
            "description": "defined: instances are selected but nothing runs. running: the batch is started (migration-manager's start). stopped: no new work starts and in-flight work pauses at its next safe point.",
            "type": "string",
            "enum": [
              "defined",
              "running",
              "stopped"
            ],
            "default": "defined"
          },
          "include_expression": {
            "description": "An expr-lang expression selecting the batch's instances, e.g. location matches '^/DC1/' and cpus >= 4.",
            "type": "string",
            "minLength": 1
          },
          "migration_windows": {
            "description": "When final cutovers may happen. None means any time.",
            "type": "array",
            "items": {
              "$ref": "#/$defs/MigrationWindow"
            },
            "default": []
          },
          "constraints": {
            "description": "Per-subset limits. For each instance the last matching constraint applies.",
            "type": "array",
            "items": {
              "$ref": "#/$defs/Constraint"
            },
            "default": []
          },
          "defaults": {
            "$ref": "#/$defs/BatchDefaults"
          },
          "config": {
            "$ref": "#/$defs/BatchConfig"
          }
        }
      },
      "MigrationWindow": {
        "title": "MigrationWindow",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "name"
        ],
        "properties": {
          "name": {
            "$ref": "common.schema.json#/$defs/ApiName"
          },
          "start": {
            "$ref": "common.schema.json#/$defs/Timestamp",
            "description": "Cutovers may begin after this time. Omitted: already begun."
          },
          "end": {
            "$ref": "common.schema.json#/$defs/Timestamp",
            "description": "Deadline for cutovers. Omitted: unlimited."
          },
          "lockout": {
            "$ref": "common.schema.json#/$defs/Timestamp",
            "description": "After this time the window takes no new assignments. start <= lockout <= end."
          },
          "config": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "capacity": {
                "type": "integer",
                "minimum": 0,
                "default": 0,
                "description": "Most entries assigned to this window at once; 0 is unlimited."
              }
            }
          }
        }
      },
      "Constraint": {
        "title": "Constraint",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "name",
          "include_expression"
        ],
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "allOf": [
              {
                "$ref": "common.schema.json#/$defs/NoControlCharacters"
              }
            ]
          },
          "description": {
            "type": "string"
          },
          "include_expression": {
            "type": "string",
            "minLength": 1,
            "description": "Selects the instances of the batch this constraint applies to."
          },
          "max_concurrent_instances": {
            "type": "integer",
            "minimum": 0,
            "default": 0,
            "description": "Matching entries allowed in their final steps at once; 0 is unlimited."
          },
          "min_instance_boot_time": {
            "$ref": "common.schema.json#/$defs/Duration",
            "description": "The window must leave this much time plus one minute before its end."
          }
        }
      },
      "BatchDefaults": {
        "title": "BatchDefaults",
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "placement": {
            "title": "DefaultPlacement",
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "target": {
                "$ref": "common.schema.json#/$defs/ApiName",
                "description": "A Target document's name. Omitted: the only Target of the repository."
              },
              "target_project": {
                "$ref": "common.schema.json#/$defs/ApiName",
                "default": "default"
              },
              "storage_pool": {
                "$ref": "common.schema.json#/$defs/ApiName",
                "default": "default"
              }
            }
          },
          "migration_network": {
            "description": "The network NICs use during migration, at most one entry per target and project.",
            "type": "array",
            "items": {
              "$ref": "#/$defs/MigrationNetwork"
            },
            "default": []
          },
          "force_conflict_resolution": {
            "type": "boolean",
            "default": false,
            "description": "Keep the original placement when a recomputed one differs."
          }
        }
      },
      "MigrationNetwork": {
        "title": "MigrationNetwork",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "network",
          "nictype"
        ],
        "properties": {
          "target": {
            "$ref": "common.schema.json#/$defs/ApiName"
          },
          "target_project": {
            "$ref": "common.schema.json#/$defs/ApiName"
          },
          "network": {
            "$ref": "common.schema.json#/$defs/ApiName"
          },
          "nictype": {
            "$ref": "common.schema.json#/$defs/NicType"
          },
          "vlan_id": {
            "$ref": "common.schema.json#/$defs/VlanIds",
            "description": "Only with bridged or physical NICs."
          }
        }
      },
      "BatchConfig": {
        "title": "BatchConfig",
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "rerun_scriptlets": {
            "type": "boolean",
            "default": false,
            "description": "Re-run the placement scriptlet for waiting entries on every tick."
          },
          "placement_scriptlet": {
            "type": "string",
            "description": "Starlark source defining placement(instance, batch)."
          },
          "placement_scriptlet_file": {
            "type": "string",
            "minLength": 1,
            "description": "A .star file, relative to this document's file, inside the repository."
          },
          "post_migration_retries": {
            "type": "integer",
            "minimum": 0,
            "default": 0
          },
          "background_sync_interval": {
            "$ref": "common.schema.json#/$defs/Duration",
            "default": "10m"
          },
          "final_background_sync_limit": {
            "$ref": "common.schema.json#/$defs/Duration",
            "default": "10m"
          },
          "instance_restriction_overrides": {
            "title": "RestrictionOverrides",
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "allow_unknown_os": {
                "type": "boolean",
                "default": false
              },
              "allow_no_ipv4": {
                "type": "boolean",
                "default": false
              },
              "allow_no_background_import": {
                "type": "boolean",
                "default": false
              }
            }
          }
        }
      }
    }
  },
  "common.schema.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://ferry.dev/schemas/common.schema.json",
    "title": "Common",
    "description": "Shapes shared by every Ferry document kind.",
    "$defs": {
      "ApiVersion": {
        "description": "The document format version. ferry.dev/v1alpha1 is the newest.",
        "type": "string",
        "const": "ferry.dev/v1alpha1"
      },
      "ApiName": {
        "title": "ApiName",
        "description": "An Incus API name: 1-64 characters, no whitespace, none of $ ? & + \" ' ` * /, starting and ending with a letter or digit.",
        "type": "string",
        "minLength": 1,
        "maxLength": 64,
        "pattern": "^[A-Za-z0-9]([^\\s$?&+\"'`*/]*[A-Za-z0-9])?$",
        "x-error-code": "invalid-name",
        "allOf": [
          {
            "$ref": "#/$defs/NoControlCharacters"
          }
        ]
      },
      "NoControlCharacters": {
        "title": "NoControlCharacters",
        "description": "Names hold no control characters (C0, DEL, C1), line or paragraph separators, or bidirectional overrides and isolates: these would change what a terminal or a page shows.",
        "type": "string",
        "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]*$",
        "x-error-code": "control-character"
      },
      "Metadata": {
        "title": "Metadata",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "name"
        ],
        "properties": {
          "name": {
            "$ref": "#/$defs/ApiName",
            "description": "Unique among the documents of this kind."
          },
          "description": {
            "type": "string",
            "description": "Free text for people."
          },
          "labels": {
            "type": "object",
            "additionalProperties": {
              "type": "string"
            }
          },
          "annotations": {
            "type": "object",
            "additionalProperties": {
              "type": "string"
            }
          }
        }
      },
      "Duration": {
        "title": "Duration",
        "description": "A Go duration such as 10m, 1h30m, 90s or 10m0s.",
        "type": "string",
        "pattern": "^(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$",
        "x-error-code": "invalid-duration"
      },
      "ByteSize": {
        "title": "ByteSize",
        "description": "A number of bytes, such as 20GiB, 512MB or 1073741824.",
        "anyOf": [
          {
            "type": "integer",
            "minimum": 0
          },
          {
            "type": "string",
            "pattern": "^[0-9]+(\\.[0-9]+)?(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$"
          }
        ],
        "x-error-code": "invalid-size"
      },
      "Timestamp": {
        "title": "Timestamp",
        "description": "A UTC time: RFC 3339 (2025-12-01T01:00:00Z, or with an offset) or migration-manager's 2025-12-01 01:00:00 (read as UTC).",
        "type": "string",
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$",
        "x-error-code": "invalid-timestamp"
      },
      "SecretRef": {
        "title": "SecretRef",
        "description": "Where a secret comes from at run time. Secrets never live in the repository.",
        "type": "object",
        "additionalProperties": false,
        "minProperties": 1,
        "maxProperties": 1,
        "properties": {
          "env": {
            "type": "string",
            "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
            "description": "Name of an environment variable."
          },
          "file": {
            "type": "string",
            "minLength": 1,
            "description": "Path of a file on the machine running Ferry (not in the repository)."
          }
        }
      },
      "Fingerprint": {
        "title": "Fingerprint",
        "description": "SHA-256 fingerprint of a server certificate, hex, with or without colons.",
        "type": "string",
        "pattern": "^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$",
        "x-error-code": "invalid-fingerprint"
      },
      "VlanIds": {
        "title": "VlanIds",
        "description": "A VLAN id, or several as a comma-separated list of non-zero integers.",
        "anyOf": [
          {
            "type": "integer",
            "minimum": 1,
            "maximum": 4094
          },
          {
            "type": "string",
            "pattern": "^([1-9][0-9]*)(,[1-9][0-9]*)*$"
          }
        ],
        "x-error-code": "invalid-vlan"
      },
      "NicType": {
        "title": "NicType",
        "type": "string",
        "enum": [
          "managed",
          "bridged",
          "physical"
        ]
      }
    }
  },
  "ferry.schema.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://ferry.dev/schemas/ferry.schema.json",
    "title": "Ferry document",
    "description": "Any Ferry document, chosen by its kind. Generated from the per-kind schemas by `npm run gen`.",
    "type": "object",
    "required": [
      "apiVersion",
      "kind"
    ],
    "properties": {
      "kind": {
        "enum": [
          "Project",
          "Source",
          "Target",
          "Batch",
          "InstanceOverride",
          "NetworkOverride",
          "Resolution",
          "Simulation"
        ]
      }
    },
    "allOf": [
      {
        "if": {
          "properties": {
            "kind": {
              "const": "Project"
            }
          },
          "required": [
            "kind"
          ]
        },
        "then": {
          "$ref": "#/$defs/ProjectDocument"
        }
      },
      {
        "if": {
          "properties": {
            "kind": {
              "const": "Source"
            }
          },
          "required": [
            "kind"
          ]
        },
        "then": {
          "$ref": "#/$defs/SourceDocument"
        }
      },
      {
        "if": {
          "properties": {
            "kind": {
              "const": "Target"
            }
          },
          "required": [
            "kind"
          ]
        },
        "then": {
          "$ref": "#/$defs/TargetDocument"
        }
      },
      {
        "if": {
          "properties": {
            "kind": {
              "const": "Batch"
            }
          },
          "required": [
            "kind"
          ]
        },
        "then": {
          "$ref": "#/$defs/BatchDocument"
        }
      },
      {
        "if": {
          "properties": {
            "kind": {
              "const": "InstanceOverride"
            }
          },
          "required": [
            "kind"
          ]
        },
        "then": {
          "$ref": "#/$defs/InstanceOverrideDocument"
        }
      },
      {
        "if": {
          "properties": {
            "kind": {
              "const": "NetworkOverride"
            }
          },
          "required": [
            "kind"
          ]
        },
        "then": {
          "$ref": "#/$defs/NetworkOverrideDocument"
        }
      },
      {
        "if": {
          "properties": {
            "kind": {
              "const": "Resolution"
            }
          },
          "required": [
            "kind"
          ]
        },
        "then": {
          "$ref": "#/$defs/ResolutionDocument"
        }
      },
      {
        "if": {
          "properties": {
            "kind": {
              "const": "Simulation"
            }
          },
          "required": [
            "kind"
          ]
        },
        "then": {
          "$ref": "#/$defs/SimulationDocument"
        }
      }
    ],
    "$defs": {
      "ApiVersion": {
        "description": "The document format version. ferry.dev/v1alpha1 is the newest.",
        "type": "string",
        "const": "ferry.dev/v1alpha1"
      },
      "ApiName": {
        "title": "ApiName",
        "description": "An Incus API name: 1-64 characters, no whitespace, none of $ ? & + \" ' ` * /, starting and ending with a letter or digit.",
        "type": "string",
        "minLength": 1,
        "maxLength": 64,
        "pattern": "^[A-Za-z0-9]([^\\s$?&+\"'`*/]*[A-Za-z0-9])?$",
        "x-error-code": "invalid-name",
        "allOf": [
          {
            "$ref": "#/$defs/NoControlCharacters"
          }
        ]
      },
      "NoControlCharacters": {
        "title": "NoControlCharacters",
        "description": "Names hold no control characters (C0, DEL, C1), line or paragraph separators, or bidirectional overrides and isolates: these would change what a terminal or a page shows.",
        "type": "string",
        "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]*$",
        "x-error-code": "control-character"
      },
      "Metadata": {
        "title": "Metadata",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "name"
        ],
        "properties": {
          "name": {
            "$ref": "#/$defs/ApiName",
            "description": "Unique among the documents of this kind."
          },
          "description": {
            "type": "string",
            "description": "Free text for people."
          },
          "labels": {
            "type": "object",
            "additionalProperties": {
              "type": "string"
            }
          },
          "annotations": {
            "type": "object",
            "additionalProperties": {
              "type": "string"
            }
          }
        }
      },
      "Duration": {
        "title": "Duration",
        "description": "A Go duration such as 10m, 1h30m, 90s or 10m0s.",
        "type": "string",
        "pattern": "^(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$",
        "x-error-code": "invalid-duration"
      },
      "ByteSize": {
        "title": "ByteSize",
        "description": "A number of bytes, such as 20GiB, 512MB or 1073741824.",
        "anyOf": [
          {
            "type": "integer",
            "minimum": 0
          },
          {
            "type": "string",
            "pattern": "^[0-9]+(\\.[0-9]+)?(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$"
          }
        ],
        "x-error-code": "invalid-size"
      },
      "Timestamp": {
        "title": "Timestamp",
        "description": "A UTC time: RFC 3339 (2025-12-01T01:00:00Z, or with an offset) or migration-manager's 2025-12-01 01:00:00 (read as UTC).",
        "type": "string",
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$",
        "x-error-code": "invalid-timestamp"
      },
      "SecretRef": {
        "title": "SecretRef",
        "description": "Where a secret comes from at run time. Secrets never live in the repository.",
        "type": "object",
        "additionalProperties": false,
        "minProperties": 1,
        "maxProperties": 1,
        "properties": {
          "env": {
            "type": "string",
            "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
            "description": "Name of an environment variable."
          },
          "file": {
            "type": "string",
            "minLength": 1,
            "description": "Path of a file on the machine running Ferry (not in the repository)."
          }
        }
      },
      "Fingerprint": {
        "title": "Fingerprint",
        "description": "SHA-256 fingerprint of a server certificate, hex, with or without colons.",
        "type": "string",
        "pattern": "^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$",
        "x-error-code": "invalid-fingerprint"
      },
      "VlanIds": {
        "title": "VlanIds",
        "description": "A VLAN id, or several as a comma-separated list of non-zero integers.",
        "anyOf": [
          {
            "type": "integer",
            "minimum": 1,
            "maximum": 4094
          },
          {
            "type": "string",
            "pattern": "^([1-9][0-9]*)(,[1-9][0-9]*)*$"
          }
        ],
        "x-error-code": "invalid-vlan"
      },
      "NicType": {
        "title": "NicType",
        "type": "string",
        "enum": [
          "managed",
          "bridged",
          "physical"
        ]
      },
      "ProjectSpec": {
        "title": "ProjectSpec",
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "status": {
            "title": "StatusSettings",
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "branch": {
                "type": "string",
                "minLength": 1,
                "pattern": "^[A-Za-z0-9._/-]+$",
                "default": "ferry/status",
                "description": "The branch the reconciler owns. Never a branch people edit."
              },
              "remote": {
                "type": "string",
                "minLength": 1,
                "pattern": "^[A-Za-z0-9._-]+$",
                "default": "origin",
                "description": "The Git remote the status branch is pushed to."
              },
              "local": {
                "type": "boolean",
                "default": false,
                "description": "Keep the status branch in the local repository only (demos, tests)."
              }
            }
          },
          "trust": {
            "title": "TrustSettings",
            "type": "object",
            "additionalProperties": false,
            "description": "Which revision Ferry trusts: Source and Target connection settings (endpoints, certificate pins, secret references) are honoured only from it, and apply acts only on commits it contains. Read from the remote's default branch, never from a pull request.",
            "properties": {
              "branch": {
                "type": "string",
                "minLength": 1,
                "pattern": "^[A-Za-z0-9._/-]+$",
                "description": "The trusted branch, as the status remote has it. The remote's default branch when absent."
              }
            }
          },
          "budgets": {
            "title": "Budgets",
            "type": "object",
            "additionalProperties": false,
            "description": "What one evaluation of repository content may cost (docs/security.md, Budgets). Honoured only from the trusted revision: a pull request is evaluated within the budgets of the default branch, whatever its own ferry.yaml says. Each value has a ceiling no setting can pass.",
            "properties": {
              "expression": {
                "title": "ExpressionBudget",
                "type": "object",
                "additionalProperties": false,
                "description": "One include expression evaluated for one instance.",
                "properties": {
                  "work": {
                    "type": "integer",
                    "minimum": 1000,
                    "maximum": 100000000,
                    "default": 2000000,
                    "description": "Work units: operators, predicate iterations, characters read and written, regular-expression steps."
                  },
                  "allocation": {
                    "type": "integer",
                    "minimum": 1000,
                    "maximum": 100000000,
                    "default": 1000000,
                    "description": "List elements and string characters created, garbage included."
                  },
                  "time": {
                    "$ref": "#/$defs/Duration",
                    "default": "1s",
                    "description": "Wall-clock time, the last line of defence; at most 10s."
                  }
                }
              },
              "scriptlet": {
                "title": "ScriptletBudget",
                "type": "object",
                "additionalProperties": false,
                "description": "One run of a placement scriptlet: its top level, or placement() for one instance.",
                "properties": {
                  "work": {
                    "type": "integer",
                    "minimum": 1000,
                    "maximum": 1000000000,
                    "default": 10000000,
                    "description": "Work units: statements, iterations, calls, and what built-ins do (elements touched, bytes processed)."
                  },
                  "allocation": {
                    "type": "integer",
                    "minimum": 1000,
                    "maximum": 500000000,
                    "default": 10000000,
                    "description": "Elements and bytes of every value created, garbage included."
                  },
                  "call_depth": {
                    "type": "integer",
                    "minimum": 8,
                    "maximum": 200,
                    "default": 64,
                    "description": "Nested calls."
                  },
                  "time": {
                    "$ref": "#/$defs/Duration",
                    "default": "2s",
                    "description": "Wall-clock time, the last line of defence; at most 60s."
                  }
                }
              },
              "pull_request_plan": {
                "title": "PlanBudget",
                "type": "object",
                "additionalProperties": false,
                "description": "The whole plan of a pull request (ferry github plan), which runs in a worker of its own.",
                "properties": {
                  "time": {
                    "$ref": "#/$defs/Duration",
                    "default": "10m",
                    "description": "Wall-clock time of the plan; at most 1h."
                  },
                  "memory": {
                    "$ref": "#/$defs/ByteSize",
                    "default": "2GiB",
                    "description": "Heap of the worker; between 256MiB and 16GiB."
                  }
                }
              }
            }
          },
          "reconcile": {
            "title": "ReconcileSettings",
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "interval": {
                "$ref": "#/$defs/Duration",
                "default": "1m",
                "description": "Time between ticks of `ferry apply --watch`."
              },
              "sync_interval": {
                "$ref": "#/$defs/Duration",
                "default": "10m",
                "description": "How often source inventories are re-read."
              }
            }
          },
          "github": {
            "title": "GitHubSettings",
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "conflict_branch_prefix": {
                "type": "string",
                "minLength": 1,
                "pattern": "^[A-Za-z0-9._/-]+$",
                "default": "ferry/conflicts/"
              },
              "status_context": {
                "type": "string",
                "minLength": 1,
                "default": "ferry"
              }
            }
          }
        }
      },
      "ProjectDocument": {
        "title": "ProjectDocument",
        "description": "Repository-wide settings: where status is kept, how often to reconcile, GitHub reporting. At most one per repository.",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "apiVersion",
          "kind",
          "metadata"
        ],
        "properties": {
          "apiVersion": {
            "$ref": "#/$defs/ApiVersion"
          },
          "kind": {
            "const": "Project"
          },
          "metadata": {
            "$ref": "#/$defs/Metadata"
          },
          "spec": {
            "$ref": "#/$defs/ProjectSpec"
          }
        }
      },
      "SourceSpec": {
        "title": "SourceSpec",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "type"
        ],
        "properties": {
          "type": {
            "type": "string",
            "enum": [
              "vmware",
              "sim"
            ],
            "description": "vmware: vCenter or ESXi. sim: the built-in simulator."
          },
          "inventory_file": {
            "type": "string",
            "minLength": 1,
            "description": "sim only: the simulated vCenter's VMs, a JSON array in migration-manager's instance format, relative to this document's file and inside the repository."
          },
          "endpoint": {
            "type": "string",
            "minLength": 1,
            "description": "https://vcenter.example.com (vmware)."
          },
          "username": {
            "type": "string",
            "minLength": 1
          },
          "password_from": {
            "$ref": "#/$defs/SecretRef"
          },
          "trusted_server_certificate_fingerprint": {
            "$ref": "#/$defs/Fingerprint"
          },
          "trusted_server_certificate_from": {
            "$ref": "#/$defs/SecretRef",
            "description": "A PEM certificate to trust, read at run time."
          },
          "import_limit": {
            "type": "integer",
            "minimum": 0,
            "default": 0,
            "description": "Entries importing from this source at once; 0 is unlimited."
          },
          "connection_timeout": {
            "$ref": "#/$defs/Duration",
            "default": "10m"
          },
          "sync_timeout": {
            "$ref": "#/$defs/Duration",
            "default": "10s",
            "description": "Per-VM fetch timeout during a sync."
          },
          "sync_limit": {
            "type": "integer",
            "minimum": 1,
            "default": 1,
            "description": "VMs fetched concurrently during a sync."
          },
          "datacenters": {
            "type": "array",
            "items": {
              "type": "string",
              "minLength": 1
            },
            "default": [
              "/..."
            ]
          }
        }
      },
      "SourceDocument": {
        "title": "SourceDocument",
        "description": "Where VMs come from: a vCenter or ESXi host, or the built-in simulator. Credentials are references, never values.",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "apiVersion",
          "kind",
          "metadata",
          "spec"
        ],
        "properties": {
          "apiVersion": {
            "$ref": "#/$defs/ApiVersion"
          },
          "kind": {
            "const": "Source"
          },
          "metadata": {
            "$ref": "#/$defs/Metadata"
          },
          "spec": {
            "$ref": "#/$defs/SourceSpec"
          }
        }
      },
      "TargetSpec": {
        "title": "TargetSpec",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "type"
        ],
        "properties": {
          "type": {
            "type": "string",
            "enum": [
              "incus",
              "sim"
            ],
            "description": "incus: the Incus REST API (also LXD). sim: the built-in simulator."
          },
          "endpoint": {
            "type": "string",
            "minLength": 1,
            "description": "https://incus.example.com:8443 or unix:///var/lib/incus/unix.socket (incus)."
          },
          "trusted_server_certificate_fingerprint": {
            "$ref": "#/$defs/Fingerprint"
          },
          "trusted_server_certificate_from": {
            "$ref": "#/$defs/SecretRef"
          },
          "tls_client_cert_from": {
            "$ref": "#/$defs/SecretRef"
          },
          "tls_client_key_from": {
            "$ref": "#/$defs/SecretRef"
          },
          "trust_token_from": {
            "$ref": "#/$defs/SecretRef",
            "description": "A trust token from `incus config trust add` (incus): when the server does not trust Ferry's client certificate yet, Ferry presents it with this token once."
          },
          "instance_type": {
            "type": "string",
            "enum": [
              "virtual-machine",
              "container"
            ],
            "default": "virtual-machine",
            "description": "What Ferry creates on this target (incus). container is for hosts without virtual-machine support: imported disks are written but cannot be attached."
          },
          "container_image": {
            "$ref": "#/$defs/ApiName",
            "description": "With instance_type container: the alias of an image on the target the containers are created from (without it a container is empty and cannot start)."
          },
          "import_limit": {
            "type": "integer",
            "minimum": 0,
            "default": 50,
            "description": "Entries importing into this target at once; 0 is unlimited."
          },
          "transfer": {
            "type": "string",
            "enum": [
              "stream",
              "mover"
            ],
            "default": "stream",
            "description": "How disk data reaches this target. stream: the reconciler reads each disk from the source and streams it into the target (a powered-off copy). mover: a mover booted inside each new VM copies the disks itself (warm copies of running VMs, changed areas at cutover); see docs/providers/incus.md."
          },
          "mover_image": {
            "type": "string",
            "minLength": 1,
            "description": "With transfer: mover (incus): the path, on the machine running Ferry, of the mover image scripts/build-mover-image.sh builds. Ferry imports it once per storage pool."
          },
          "virtio_win_image": {
            "type": "string",
            "minLength": 1,
            "description": "With transfer: mover (incus): the path, on the machine running Ferry, of the virtio-win ISO (the Windows virtio drivers) the mover installs into Windows guests it prepares. Ferry imports it once per storage pool and attaches it to every mover VM as device ferry-virtio-win."
          },
          "create_limit": {
            "type": "integer",
            "minimum": 0,
            "default": 10,
            "description": "Instances being created on this target at once; 0 is unlimited."
          },
          "connection_timeout": {
            "$ref": "#/$defs/Duration",
            "default": "5m"
          }
        }
      },
      "TargetDocument": {
        "title": "TargetDocument",
        "description": "Where VMs go: an Incus (or LXD) cluster, or the built-in simulator. TLS material is referenced, never inlined.",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "apiVersion",
          "kind",
          "metadata",
          "spec"
        ],
        "properties": {
          "apiVersion": {
            "$ref": "#/$defs/ApiVersion"
          },
          "kind": {
            "const": "Target"
          },
          "metadata": {
            "$ref": "#/$defs/Metadata"
          },
          "spec": {
            "$ref": "#/$defs/TargetSpec"
          }
        }
      },
      "BatchSpec": {
        "title": "BatchSpec",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "include_expression"
        ],
        "properties": {
          "state": {
            "description": "defined: instances are selected but nothing runs. running: the batch is started (migration-manager's start). stopped: no new work starts and in-flight work pauses at its next safe point.",
            "type": "string",
            "enum": [
              "defined",
              "running",
              "stopped"
            ],
            "default": "defined"
          },
          "include_expression": {
            "description": "An expr-lang expression selecting the batch's instances, e.g. location matches '^/DC1/' and cpus >= 4.",
            "type": "string",
            "minLength": 1
          },
          "migration_windows": {
            "description": "When final cutovers may happen. None means any time.",
            "type": "array",
            "items": {
              "$ref": "#/$defs/MigrationWindow"
            },
            "default": []
          },
          "constraints": {
            "description": "Per-subset limits. For each instance the last matching constraint applies.",
            "type": "array",
            "items": {
              "$ref": "#/$defs/Constraint"
            },
            "default": []
          },
          "defaults": {
            "$ref": "#/$defs/BatchDefaults"
          },
          "config": {
            "$ref": "#/$defs/BatchConfig"
          }
        }
      },
      "MigrationWindow": {
        "title": "MigrationWindow",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "name"
        ],
        "properties": {
          "name": {
            "$ref": "#/$defs/ApiName"
          },
          "start": {
            "$ref": "#/$defs/Timestamp",
            "description": "Cutovers may begin after this time. Omitted: already begun."
          },
          "end": {
            "$ref": "#/$defs/Timestamp",
            "description": "Deadline for cutovers. Omitted: unlimited."
          },
          "lockout": {
            "$ref": "#/$defs/Timestamp",
            "description": "After this time the window takes no new assignments. start <= lockout <= end."
          },
          "config": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "capacity": {
                "type": "integer",
                "minimum": 0,
                "default": 0,
                "description": "Most entries assigned to this window at once; 0 is unlimited."
              }
            }
          }
        }
      },
      "Constraint": {
        "title": "Constraint",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "name",
          "include_expression"
        ],
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "allOf": [
              {
                "$ref": "#/$defs/NoControlCharacters"
              }
            ]
          },
          "description": {
            "type": "string"
          },
          "include_expression": {
            "type": "string",
            "minLength": 1,
            "description": "Selects the instances of the batch this constraint applies to."
          },
          "max_concurrent_instances": {
            "type": "integer",
            "minimum": 0,
            "default": 0,
            "description": "Matching entries allowed in their final steps at once; 0 is unlimited."
          },
          "min_instance_boot_time": {
            "$ref": "#/$defs/Duration",
            "description": "The window must leave this much time plus one minute before its end."
          }
        }
      },
      "BatchDefaults": {
        "title": "BatchDefaults",
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "placement": {
            "title": "DefaultPlacement",
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "target": {
                "$ref": "#/$defs/ApiName",
                "description": "A Target document's name. Omitted: the only Target of the repository."
              },
              "target_project": {
                "$ref": "#/$defs/ApiName",
                "default": "default"
              },
              "storage_pool": {
                "$ref": "#/$defs/ApiName",
                "default": "default"
              }
            }
          },
          "migration_network": {
            "description": "The network NICs use during migration, at most one entry per target and project.",
            "type": "array",
            "items": {
              "$ref": "#/$defs/MigrationNetwork"
            },
            "default": []
          },
          "force_conflict_resolution": {
            "type": "boolean",
            "default": false,
            "description": "Keep the original placement when a recomputed one differs."
          }
        }
      },
      "MigrationNetwork": {
        "title": "MigrationNetwork",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "network",
          "nictype"
        ],
        "properties": {
          "target": {
            "$ref": "#/$defs/ApiName"
          },
          "target_project": {
            "$ref": "#/$defs/ApiName"
          },
          "network": {
            "$ref": "#/$defs/ApiName"
          },
          "nictype": {
            "$ref": "#/$defs/NicType"
          },
          "vlan_id": {
            "$ref": "#/$defs/VlanIds",
            "description": "Only with bridged or physical NICs."
          }
        }
      },
      "BatchConfig": {
        "title": "BatchConfig",
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "rerun_scriptlets": {
            "type": "boolean",
            "default": false,
            "description": "Re-run the placement scriptlet for waiting entries on every tick."
          },
          "placement_scriptlet": {
            "type": "string",
            "description": "Starlark source defining placement(instance, batch)."
          },
          "placement_scriptlet_file": {
            "type": "string",
            "minLength": 1,
            "description": "A .star file, relative to this document's file, inside the repository."
          },
          "post_migration_retries": {
            "type": "integer",
            "minimum": 0,
            "default": 0
          },
          "background_sync_interval": {
            "$ref": "#/$defs/Duration",
            "default": "10m"
          },
          "final_background_sync_limit": {
            "$ref": "#/$defs/Duration",
            "default": "10m"
          },
          "instance_restriction_overrides": {
            "title": "RestrictionOverrides",
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "allow_unknown_os": {
                "type": "boolean",
                "default": false
              },
              "allow_no_ipv4": {
                "type": "boolean",
                "default": false
              },
              "allow_no_background_import": {
                "type": "boolean",
                "default": false
              }
            }
          }
        }
      },
      "BatchDocument": {
        "title": "BatchDocument",
        "description": "A migration batch: which instances move, when, where and under which limits. The spec carries migration-manager's batch fields with their names, defaults and limits, plus Ferry's declarative `state`.",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "apiVersion",
          "kind",
          "metadata",
          "spec"
        ],
        "properties": {
          "apiVersion": {
            "$ref": "#/$defs/ApiVersion"
          },
          "kind": {
            "const": "Batch"
          },
          "metadata": {
            "$ref": "#/$defs/Metadata"
          },
          "spec": {
            "$ref": "#/$defs/BatchSpec"
          }
        }
      },
      "InstanceMatch": {
        "title": "InstanceMatch",
        "description": "Which instance: by UUID, or by inventory location. `source` narrows to one Source.",
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "uuid": {
            "type": "string",
            "minLength": 1
          },
          "location": {
            "type": "string",
            "minLength": 1
          },
          "source": {
            "$ref": "#/$defs/ApiName"
          }
        }
      },
      "InstanceOverrideSpec": {
        "title": "InstanceOverrideSpec",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "match"
        ],
        "properties": {
          "match": {
            "$ref": "#/$defs/InstanceMatch"
          },
          "comment": {
            "type": "string"
          },
          "disable_migration": {
            "type": "boolean",
            "default": false
          },
          "ignore_restrictions": {
            "type": "boolean",
            "default": false,
            "description": "Skip every blocking rule except disable_migration."
          },
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 63,
            "allOf": [
              {
                "$ref": "#/$defs/NoControlCharacters"
              }
            ],
            "description": "The target instance name; must be a valid hostname."
          },
          "cpus": {
            "type": "integer",
            "minimum": 1
          },
          "memory": {
            "type": "integer",
            "minimum": 1,
            "description": "Bytes."
          },
          "architecture": {
            "type": "string",
            "minLength": 1
          },
          "os_type": {
            "type": "string",
            "enum": [
              "windows",
              "linux",
              "bsd",
              "fortigate"
            ]
          },
          "distribution": {
            "type": "string",
            "minLength": 1
          },
          "distribution_version": {
            "type": "string",
            "minLength": 1
          },
          "config": {
            "type": "object",
            "additionalProperties": {
              "type": "string"
            },
            "description": "Merged over the instance's config."
          },
          "started_after_migration": {
            "type": "boolean",
            "default": false
          },
          "stopped_after_migration": {
            "type": "boolean",
            "default": false
          },
          "guest_preparation": {
            "type": "string",
            "enum": [
              "auto",
              "skip",
              "force"
            ],
            "default": "auto",
            "description": "Guest preparation by the mover after the final pass (docs/providers/incus.md, Guest preparation). auto: Linux and Windows guests are prepared, others boot as copied. skip: the guest was prepared by hand (or needs nothing); the mover leaves it alone. force: prepare even a guest whose OS the source does not know (the mover detects it from the disk)."
          }
        }
      },
      "InstanceOverrideDocument": {
        "title": "InstanceOverrideDocument",
        "description": "Persistent settings for one source instance (migration-manager's instance override).",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "apiVersion",
          "kind",
          "metadata",
          "spec"
        ],
        "properties": {
          "apiVersion": {
            "$ref": "#/$defs/ApiVersion"
          },
          "kind": {
            "const": "InstanceOverride"
          },
          "metadata": {
            "$ref": "#/$defs/Metadata"
          },
          "spec": {
            "$ref": "#/$defs/InstanceOverrideSpec"
          }
        }
      },
      "NetworkMatch": {
        "title": "NetworkMatch",
        "description": "Which source network: by UUID, or by inventory location. `source` narrows to one Source.",
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "uuid": {
            "type": "string",
            "minLength": 1
          },
          "location": {
            "type": "string",
            "minLength": 1
          },
          "source": {
            "$ref": "#/$defs/ApiName"
          }
        }
      },
      "NetworkOverrideSpec": {
        "title": "NetworkOverrideSpec",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "match"
        ],
        "properties": {
          "match": {
            "$ref": "#/$defs/NetworkMatch"
          },
          "network": {
            "$ref": "#/$defs/ApiName",
            "description": "The target network NICs on this source network join."
          },
          "nictype": {
            "$ref": "#/$defs/NicType"
          },
          "vlan_id": {
            "$ref": "#/$defs/VlanIds",
            "description": "Only with bridged or physical NICs."
          }
        }
      },
      "NetworkOverrideDocument": {
        "title": "NetworkOverrideDocument",
        "description": "Persistent target network settings for one source network (migration-manager's network override).",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "apiVersion",
          "kind",
          "metadata",
          "spec"
        ],
        "properties": {
          "apiVersion": {
            "$ref": "#/$defs/ApiVersion"
          },
          "kind": {
            "const": "NetworkOverride"
          },
          "metadata": {
            "$ref": "#/$defs/Metadata"
          },
          "spec": {
            "$ref": "#/$defs/NetworkOverrideSpec"
          }
        }
      },
      "ResolutionSpec": {
        "title": "ResolutionSpec",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "batch",
          "action"
        ],
        "properties": {
          "batch": {
            "$ref": "#/$defs/ApiName"
          },
          "instance": {
            "type": "string",
            "minLength": 1,
            "description": "The entry's instance: its name, location or UUID. Required except for reset."
          },
          "action": {
            "type": "string",
            "enum": [
              "resolve",
              "retry",
              "cancel",
              "reset"
            ],
            "description": "resolve: re-check a Conflict entry. retry: re-queue a Canceled entry. cancel: stop an entry. reset: clear the whole batch's queue."
          },
          "cleanup": {
            "type": "boolean",
            "default": false,
            "description": "With cancel: delete the target instance."
          },
          "force": {
            "type": "boolean",
            "default": false,
            "description": "With reset: also reset committed entries."
          },
          "comment": {
            "type": "string",
            "description": "Why, for the ledger."
          }
        }
      },
      "ResolutionDocument": {
        "title": "ResolutionDocument",
        "description": "A one-shot operation on a queue entry or a batch, applied once (identified by its path and content hash).",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "apiVersion",
          "kind",
          "metadata",
          "spec"
        ],
        "properties": {
          "apiVersion": {
            "$ref": "#/$defs/ApiVersion"
          },
          "kind": {
            "const": "Resolution"
          },
          "metadata": {
            "$ref": "#/$defs/Metadata"
          },
          "spec": {
            "$ref": "#/$defs/ResolutionSpec"
          }
        }
      },
      "SimulationSpec": {
        "title": "SimulationSpec",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "start"
        ],
        "properties": {
          "start": {
            "$ref": "#/$defs/Timestamp",
            "description": "Where the virtual clock starts when the world is created."
          },
          "targets": {
            "type": "object",
            "propertyNames": {
              "$ref": "#/$defs/ApiName"
            },
            "additionalProperties": {
              "$ref": "#/$defs/SimulatedTarget"
            },
            "description": "Settings of sim Targets by name; a sim Target not listed gets the defaults."
          },
          "sources": {
            "type": "object",
            "propertyNames": {
              "$ref": "#/$defs/ApiName"
            },
            "additionalProperties": {
              "$ref": "#/$defs/SimulatedSource"
            },
            "description": "Settings of sim Sources by name; a sim Source not listed gets the defaults."
          },
          "events": {
            "type": "array",
            "items": {
              "$ref": "#/$defs/SimulationEvent"
            },
            "description": "Scripted changes and faults, applied when the virtual clock reaches their time."
          }
        }
      },
      "SimulatedTarget": {
        "title": "SimulatedTarget",
        "description": "A simulated Incus: what exists on it and how fast it works.",
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "projects": {
            "type": "array",
            "items": {
              "$ref": "#/$defs/ApiName"
            },
            "uniqueItems": true,
            "description": "Incus projects (default always exists). Omitted: the projects the batches' default placements name."
          },
          "storage_pools": {
            "type": "array",
            "items": {
              "$ref": "#/$defs/ApiName"
            },
            "uniqueItems": true,
            "description": "Storage pools, visible in every project. Omitted: the pools the batches' default placements name."
          },
          "networks": {
            "type": "array",
            "items": {
              "$ref": "#/$defs/ApiName"
            },
            "uniqueItems": true,
            "description": "Networks, visible in every project. Omitted: the networks the sources' NICs map to by default and by NetworkOverrides, and the batches' migration networks."
          },
          "instances": {
            "type": "array",
            "items": {
              "$ref": "#/$defs/ForeignInstance"
            },
            "description": "Instances that exist before the campaign and are not Ferry's (no markers)."
          },
          "import_rate": {
            "$ref": "#/$defs/ByteRate",
            "default": "400MiB/s",
            "description": "Throughput of one disk import into this target."
          },
          "create_time": {
            "$ref": "#/$defs/Duration",
            "default": "30s",
            "description": "Time to create an instance definition."
          },
          "post_import_time": {
            "$ref": "#/$defs/Duration",
            "default": "2m",
            "description": "Time the post-import steps take."
          },
          "agent_start_time": {
            "$ref": "#/$defs/Duration",
            "default": "20s",
            "description": "Time from an instance's start until its agent answers (after creation, and when finalize starts it)."
          }
        }
      },
      "ForeignInstance": {
        "title": "ForeignInstance",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "project",
          "name"
        ],
        "properties": {
          "project": {
            "$ref": "#/$defs/ApiName"
          },
          "name": {
            "$ref": "#/$defs/ApiName"
          },
          "running": {
            "type": "boolean",
            "default": true
          }
        }
      },
      "SimulatedSource": {
        "title": "SimulatedSource",
        "description": "How a simulated vCenter behaves.",
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "dirty_rate": {
            "$ref": "#/$defs/ByteRate",
            "default": "1MiB/s",
            "description": "How fast a running VM's disks change (spread over its disks by capacity)."
          },
          "background_import": {
            "type": "boolean",
            "default": true,
            "description": "Whether the source can do background (changed-block) imports at all."
          },
          "offline_sessions": {
            "type": "string",
            "enum": [
              "shared",
              "separate"
            ],
            "default": "shared",
            "description": "shared: offline copies started from this source at the same instant share one transfer session. separate: each copy has its own."
          }
        }
      },
      "ByteRate": {
        "title": "ByteRate",
        "description": "Bytes per second, such as 400MiB/s, 1.5GB/s or 512KiB/s.",
        "type": "string",
        "pattern": "^[0-9]+(\\.[0-9]+)?(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)/s$",
        "x-error-code": "invalid-rate"
      },
      "EventTime": {
        "title": "EventTime",
        "description": "When: a time (2026-12-01T22:00:00Z, 2026-12-01 22:00:00) or an offset from the clock start (+2h, +90m).",
        "type": "string",
        "pattern": "^([0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?|\\+(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+))$",
        "x-error-code": "invalid-event-time"
      },
      "SimulationEvent": {
        "title": "SimulationEvent",
        "description": "One scripted change or fault. Which fields apply depends on type.",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "at",
          "type"
        ],
        "properties": {
          "name": {
            "$ref": "#/$defs/ApiName",
            "description": "Identifies the event when the document is edited after the world was created; unique among events."
          },
          "at": {
            "$ref": "#/$defs/EventTime"
          },
          "type": {
            "type": "string",
            "enum": [
              "power_on",
              "power_off",
              "enable_change_tracking",
              "change_disk",
              "add_disk",
              "remove_disk",
              "resize_disk",
              "change_uuid",
              "rename_vm",
              "set_config",
              "delete_network",
              "add_network",
              "fail",
              "unreachable",
              "crash"
            ]
          },
          "vm": {
            "type": "string",
            "minLength": 1,
            "description": "A VM of a sim Source's inventory: its name, location or UUID as the inventory file has it. For fail: omitted means every VM."
          },
          "source": {
            "$ref": "#/$defs/ApiName",
            "description": "The sim Source: of the vm (when its name is ambiguous), or the one made unreachable."
          },
          "target": {
            "$ref": "#/$defs/ApiName",
            "description": "The sim Target: of the network, or the one made unreachable."
          },
          "disk": {
            "type": "string",
            "minLength": 1,
            "description": "A disk name, such as \"[ds-ssd] web-01/web-01.vmdk\"."
          },
          "bytes": {
            "$ref": "#/$defs/ByteSize",
            "description": "change_disk: how much of the disk is rewritten (default: all of it)."
          },
          "capacity": {
            "$ref": "#/$defs/ByteSize",
            "description": "add_disk, resize_disk: the disk's size."
          },
          "supported": {
            "type": "boolean",
            "default": true,
            "description": "add_disk: whether the new disk supports snapshots."
          },
          "new_uuid": {
            "type": "string",
            "minLength": 1,
            "description": "change_uuid: the VM's new UUID."
          },
          "new_name": {
            "type": "string",
            "minLength": 1,
            "description": "rename_vm: the VM's new name."
          },
          "config": {
            "type": "object",
            "additionalProperties": {
              "type": "string"
            },
            "description": "set_config: keys to set in the VM's config (an empty value removes the key)."
          },
          "network": {
            "$ref": "#/$defs/ApiName",
            "description": "delete_network, add_network: the target network."
          },
          "operation": {
            "type": "string",
            "enum": [
              "transfer",
              "create",
              "start",
              "post_import",
              "prepare",
              "readiness"
            ],
            "description": "fail: which calls fail — disk transfers, instance creations, starts when finalizing, post-import steps; on a target with transfer: mover, a guest's preparation (a Conflict) or the readiness check of a copy (the guest is found not ready to boot)."
          },
          "count": {
            "type": "integer",
            "minimum": 1,
            "default": 1,
            "description": "fail: how many of the next such calls fail."
          },
          "for": {
            "$ref": "#/$defs/Duration",
            "description": "unreachable: how long."
          },
          "step": {
            "type": "string",
            "minLength": 1,
            "description": "crash: the step (crash point) at which the process is killed, once the event is due."
          }
        }
      },
      "SimulationDocument": {
        "title": "SimulationDocument",
        "description": "The world of the built-in simulator besides the sim sources' inventory files: the virtual clock, the simulated Incus targets, how the simulated vCenters behave, and scripted events and faults. At most one per repository.",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "apiVersion",
          "kind",
          "metadata",
          "spec"
        ],
        "properties": {
          "apiVersion": {
            "$ref": "#/$defs/ApiVersion"
          },
          "kind": {
            "const": "Simulation"
          },
          "metadata": {
            "$ref": "#/$defs/Metadata"
          },
          "spec": {
            "$ref": "#/$defs/SimulationSpec"
          }
        }
      }
    }
  },
  "instance-override.schema.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://ferry.dev/schemas/instance-override.schema.json",
    "title": "InstanceOverrideDocument",
    "description": "Persistent settings for one source instance (migration-manager's instance override).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "apiVersion",
      "kind",
      "metadata",
      "spec"
    ],
    "properties": {
      "apiVersion": {
        "$ref": "common.schema.json#/$defs/ApiVersion"
      },
      "kind": {
        "const": "InstanceOverride"
      },
      "metadata": {
        "$ref": "common.schema.json#/$defs/Metadata"
      },
      "spec": {
        "$ref": "#/$defs/InstanceOverrideSpec"
      }
    },
    "$defs": {
      "InstanceMatch": {
        "title": "InstanceMatch",
        "description": "Which instance: by UUID, or by inventory location. `source` narrows to one Source.",
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "uuid": {
            "type": "string",
            "minLength": 1
          },
          "location": {
            "type": "string",
            "minLength": 1
          },
          "source": {
            "$ref": "common.schema.json#/$defs/ApiName"
          }
        }
      },
      "InstanceOverrideSpec": {
        "title": "InstanceOverrideSpec",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "match"
        ],
        "properties": {
          "match": {
            "$ref": "#/$defs/InstanceMatch"
          },
          "comment": {
            "type": "string"
          },
          "disable_migration": {
            "type": "boolean",
            "default": false
          },
          "ignore_restrictions": {
            "type": "boolean",
            "default": false,
            "description": "Skip every blocking rule except disable_migration."
          },
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 63,
            "allOf": [
              {
                "$ref": "common.schema.json#/$defs/NoControlCharacters"
              }
            ],
            "description": "The target instance name; must be a valid hostname."
          },
          "cpus": {
            "type": "integer",
            "minimum": 1
          },
          "memory": {
            "type": "integer",
            "minimum": 1,
            "description": "Bytes."
          },
          "architecture": {
            "type": "string",
            "minLength": 1
          },
          "os_type": {
            "type": "string",
            "enum": [
              "windows",
              "linux",
              "bsd",
              "fortigate"
            ]
          },
          "distribution": {
            "type": "string",
            "minLength": 1
          },
          "distribution_version": {
            "type": "string",
            "minLength": 1
          },
          "config": {
            "type": "object",
            "additionalProperties": {
              "type": "string"
            },
            "description": "Merged over the instance's config."
          },
          "started_after_migration": {
            "type": "boolean",
            "default": false
          },
          "stopped_after_migration": {
            "type": "boolean",
            "default": false
          },
          "guest_preparation": {
            "type": "string",
            "enum": [
              "auto",
              "skip",
              "force"
            ],
            "default": "auto",
            "description": "Guest preparation by the mover after the final pass (docs/providers/incus.md, Guest preparation). auto: Linux and Windows guests are prepared, others boot as copied. skip: the guest was prepared by hand (or needs nothing); the mover leaves it alone. force: prepare even a guest whose OS the source does not know (the mover detects it from the disk)."
          }
        }
      }
    }
  },
  "instance.schema.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://ferry.dev/schemas/instance.schema.json",
    "title": "Instance",
    "description": "A source VM as migration-manager's instance JSON shows it (shared/api/instance.go, properties flattened). Used by `ferry query --instances`, `ferry placement --instances` and the inventory snapshot. Fields this schema does not know are dropped when a file is read, so exports of newer migration-manager versions still load.",
    "type": "object",
    "required": [
      "uuid",
      "name",
      "location"
    ],
    "additionalProperties": false,
    "properties": {
      "uuid": {
        "type": "string",
        "description": "The VM's UUID; compares as a string in expressions."
      },
      "source_specific_id": {
        "type": "string",
        "default": "",
        "description": "The source's own id, e.g. vm-123 on vCenter."
      },
      "location": {
        "type": "string",
        "description": "Inventory path, unique and human readable, e.g. /DC1/vm/web/web-01."
      },
      "name": {
        "type": "string"
      },
      "description": {
        "type": "string",
        "default": ""
      },
      "os": {
        "type": "string",
        "default": ""
      },
      "os_description": {
        "type": "string",
        "default": ""
      },
      "os_template": {
        "type": "string",
        "default": ""
      },
      "architecture": {
        "type": "string",
        "default": ""
      },
      "cpus": {
        "type": "integer",
        "minimum": 0,
        "default": 0
      },
      "memory": {
        "type": "integer",
        "minimum": 0,
        "default": 0,
        "description": "Bytes."
      },
      "config": {
        "type": "object",
        "additionalProperties": {
          "type": "string"
        },
        "default": {},
        "description": "vCenter tags as tag.<category> (comma-joined), vmware.resource_pool and other keys."
      },
      "secure_boot": {
        "type": "boolean",
        "default": false
      },
      "legacy_boot": {
        "type": "boolean",
        "default": false
      },
      "tpm": {
        "type": "boolean",
        "default": false
      },
      "running": {
        "type": "boolean",
        "default": false
      },
      "background_import": {
        "type": "boolean",
        "default": false
      },
      "nics": {
        "type": "array",
        "items": {
          "$ref": "#/$defs/nic"
        },
        "default": []
      },
      "disks": {
        "type": "array",
        "items": {
          "$ref": "#/$defs/disk"
        },
        "default": []
      },
      "snapshots": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "name"
          ],
          "properties": {
            "name": {
              "type": "string"
            }
          }
        },
        "default": []
      },
      "source": {
        "type": "string",
        "default": ""
      },
      "source_type": {
        "type": "string",
        "default": ""
      },
      "os_type": {
        "type": "string",
        "default": "",
        "description": "windows, linux, bsd or fortigate."
      },
      "distribution": {
        "type": "string",
        "default": ""
      },
      "distribution_version": {
        "type": "string",
        "default": ""
      },
      "last_update_from_source": {
        "type": "string",
        "default": ""
      },
      "overrides": {
        "$ref": "#/$defs/overrides"
      }
    },
    "$defs": {
      "nic": {
        "type": "object",
        "required": [
          "hardware_address"
        ],
        "additionalProperties": false,
        "properties": {
          "uuid": {
            "type": "string",
            "default": "",
            "description": "The network record's UUID."
          },
          "source_specific_id": {
            "type": "string",
            "default": ""
          },
          "hardware_address": {
            "type": "string",
            "description": "The NIC's MAC address."
          },
          "location": {
            "type": "string",
            "default": ""
          },
          "ipv4_address": {
            "type": "string",
            "default": ""
          },
          "ipv6_address": {
            "type": "string",
            "default": ""
          }
        }
      },
      "disk": {
        "type": "object",
        "required": [
          "name"
        ],
        "additionalProperties": false,
        "properties": {
          "name": {
            "type": "string",
            "description": "[datastore] path.vmdk"
          },
          "capacity": {
            "type": "integer",
            "minimum": 0,
            "default": 0,
            "description": "Bytes."
          },
          "shared": {
            "type": "boolean",
            "default": false
          },
          "supported": {
            "type": "boolean",
            "default": true
          },
          "background_import_verified": {
            "type": "boolean",
            "default": false
          }
        }
      },
      "overrides": {
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "name": {
            "type": "string"
          },
          "cpus": {
            "type": "integer",
            "minimum": 0
          },
          "memory": {
            "type": "integer",
            "minimum": 0
          },
          "config": {
            "type": "object",
            "additionalProperties": {
              "type": "string"
            }
          },
          "architecture": {
            "type": "string"
          },
          "os_type": {
            "type": "string"
          },
          "distribution": {
            "type": "string"
          },
          "distribution_version": {
            "type": "string"
          },
          "comment": {
            "type": "string"
          },
          "disable_migration": {
            "type": "boolean"
          },
          "ignore_restrictions": {
            "type": "boolean"
          },
          "started_after_migration": {
            "type": "boolean"
          },
          "stopped_after_migration": {
            "type": "boolean"
          },
          "guest_preparation": {
            "type": "string"
          }
        }
      }
    }
  },
  "network-override.schema.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://ferry.dev/schemas/network-override.schema.json",
    "title": "NetworkOverrideDocument",
    "description": "Persistent target network settings for one source network (migration-manager's network override).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "apiVersion",
      "kind",
      "metadata",
      "spec"
    ],
    "properties": {
      "apiVersion": {
        "$ref": "common.schema.json#/$defs/ApiVersion"
      },
      "kind": {
        "const": "NetworkOverride"
      },
      "metadata": {
        "$ref": "common.schema.json#/$defs/Metadata"
      },
      "spec": {
        "$ref": "#/$defs/NetworkOverrideSpec"
      }
    },
    "$defs": {
      "NetworkMatch": {
        "title": "NetworkMatch",
        "description": "Which source network: by UUID, or by inventory location. `source` narrows to one Source.",
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "uuid": {
            "type": "string",
            "minLength": 1
          },
          "location": {
            "type": "string",
            "minLength": 1
          },
          "source": {
            "$ref": "common.schema.json#/$defs/ApiName"
          }
        }
      },
      "NetworkOverrideSpec": {
        "title": "NetworkOverrideSpec",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "match"
        ],
        "properties": {
          "match": {
            "$ref": "#/$defs/NetworkMatch"
          },
          "network": {
            "$ref": "common.schema.json#/$defs/ApiName",
            "description": "The target network NICs on this source network join."
          },
          "nictype": {
            "$ref": "common.schema.json#/$defs/NicType"
          },
          "vlan_id": {
            "$ref": "common.schema.json#/$defs/VlanIds",
            "description": "Only with bridged or physical NICs."
          }
        }
      }
    }
  },
  "project.schema.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://ferry.dev/schemas/project.schema.json",
    "title": "ProjectDocument",
    "description": "Repository-wide settings: where status is kept, how often to reconcile, GitHub reporting. At most one per repository.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "apiVersion",
      "kind",
      "metadata"
    ],
    "properties": {
      "apiVersion": {
        "$ref": "common.schema.json#/$defs/ApiVersion"
      },
      "kind": {
        "const": "Project"
      },
      "metadata": {
        "$ref": "common.schema.json#/$defs/Metadata"
      },
      "spec": {
        "$ref": "#/$defs/ProjectSpec"
      }
    },
    "$defs": {
      "ProjectSpec": {
        "title": "ProjectSpec",
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "status": {
            "title": "StatusSettings",
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "branch": {
                "type": "string",
                "minLength": 1,
                "pattern": "^[A-Za-z0-9._/-]+$",
                "default": "ferry/status",
                "description": "The branch the reconciler owns. Never a branch people edit."
              },
              "remote": {
                "type": "string",
                "minLength": 1,
                "pattern": "^[A-Za-z0-9._-]+$",
                "default": "origin",
                "description": "The Git remote the status branch is pushed to."
              },
              "local": {
                "type": "boolean",
                "default": false,
                "description": "Keep the status branch in the local repository only (demos, tests)."
              }
            }
          },
          "trust": {
            "title": "TrustSettings",
            "type": "object",
            "additionalProperties": false,
            "description": "Which revision Ferry trusts: Source and Target connection settings (endpoints, certificate pins, secret references) are honoured only from it, and apply acts only on commits it contains. Read from the remote's default branch, never from a pull request.",
            "properties": {
              "branch": {
                "type": "string",
                "minLength": 1,
                "pattern": "^[A-Za-z0-9._/-]+$",
                "description": "The trusted branch, as the status remote has it. The remote's default branch when absent."
              }
            }
          },
          "budgets": {
            "title": "Budgets",
            "type": "object",
            "additionalProperties": false,
            "description": "What one evaluation of repository content may cost (docs/security.md, Budgets). Honoured only from the trusted revision: a pull request is evaluated within the budgets of the default branch, whatever its own ferry.yaml says. Each value has a ceiling no setting can pass.",
            "properties": {
              "expression": {
                "title": "ExpressionBudget",
                "type": "object",
                "additionalProperties": false,
                "description": "One include expression evaluated for one instance.",
                "properties": {
                  "work": {
                    "type": "integer",
                    "minimum": 1000,
                    "maximum": 100000000,
                    "default": 2000000,
                    "description": "Work units: operators, predicate iterations, characters read and written, regular-expression steps."
                  },
                  "allocation": {
                    "type": "integer",
                    "minimum": 1000,
                    "maximum": 100000000,
                    "default": 1000000,
                    "description": "List elements and string characters created, garbage included."
                  },
                  "time": {
                    "$ref": "common.schema.json#/$defs/Duration",
                    "default": "1s",
                    "description": "Wall-clock time, the last line of defence; at most 10s."
                  }
                }
              },
              "scriptlet": {
                "title": "ScriptletBudget",
                "type": "object",
                "additionalProperties": false,
                "description": "One run of a placement scriptlet: its top level, or placement() for one instance.",
                "properties": {
                  "work": {
                    "type": "integer",
                    "minimum": 1000,
                    "maximum": 1000000000,
                    "default": 10000000,
                    "description": "Work units: statements, iterations, calls, and what built-ins do (elements touched, bytes processed)."
                  },
                  "allocation": {
                    "type": "integer",
                    "minimum": 1000,
                    "maximum": 500000000,
                    "default": 10000000,
                    "description": "Elements and bytes of every value created, garbage included."
                  },
                  "call_depth": {
                    "type": "integer",
                    "minimum": 8,
                    "maximum": 200,
                    "default": 64,
                    "description": "Nested calls."
                  },
                  "time": {
                    "$ref": "common.schema.json#/$defs/Duration",
                    "default": "2s",
                    "description": "Wall-clock time, the last line of defence; at most 60s."
                  }
                }
              },
              "pull_request_plan": {
                "title": "PlanBudget",
                "type": "object",
                "additionalProperties": false,
                "description": "The whole plan of a pull request (ferry github plan), which runs in a worker of its own.",
                "properties": {
                  "time": {
                    "$ref": "common.schema.json#/$defs/Duration",
                    "default": "10m",
                    "description": "Wall-clock time of the plan; at most 1h."
                  },
                  "memory": {
                    "$ref": "common.schema.json#/$defs/ByteSize",
                    "default": "2GiB",
                    "description": "Heap of the worker; between 256MiB and 16GiB."
                  }
                }
              }
            }
          },
          "reconcile": {
            "title": "ReconcileSettings",
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "interval": {
                "$ref": "common.schema.json#/$defs/Duration",
                "default": "1m",
                "description": "Time between ticks of `ferry apply --watch`."
              },
              "sync_interval": {
                "$ref": "common.schema.json#/$defs/Duration",
                "default": "10m",
                "description": "How often source inventories are re-read."
              }
            }
          },
          "github": {
            "title": "GitHubSettings",
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "conflict_branch_prefix": {
                "type": "string",
                "minLength": 1,
                "pattern": "^[A-Za-z0-9._/-]+$",
                "default": "ferry/conflicts/"
              },
              "status_context": {
                "type": "string",
                "minLength": 1,
                "default": "ferry"
              }
            }
          }
        }
      }
    }
  },
  "resolution.schema.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://ferry.dev/schemas/resolution.schema.json",
    "title": "ResolutionDocument",
    "description": "A one-shot operation on a queue entry or a batch, applied once (identified by its path and content hash).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "apiVersion",
      "kind",
      "metadata",
      "spec"
    ],
    "properties": {
      "apiVersion": {
        "$ref": "common.schema.json#/$defs/ApiVersion"
      },
      "kind": {
        "const": "Resolution"
      },
      "metadata": {
        "$ref": "common.schema.json#/$defs/Metadata"
      },
      "spec": {
        "$ref": "#/$defs/ResolutionSpec"
      }
    },
    "$defs": {
      "ResolutionSpec": {
        "title": "ResolutionSpec",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "batch",
          "action"
        ],
        "properties": {
          "batch": {
            "$ref": "common.schema.json#/$defs/ApiName"
          },
          "instance": {
            "type": "string",
            "minLength": 1,
            "description": "The entry's instance: its name, location or UUID. Required except for reset."
          },
          "action": {
            "type": "string",
            "enum": [
              "resolve",
              "retry",
              "cancel",
              "reset"
            ],
            "description": "resolve: re-check a Conflict entry. retry: re-queue a Canceled entry. cancel: stop an entry. reset: clear the whole batch's queue."
          },
          "cleanup": {
            "type": "boolean",
            "default": false,
            "description": "With cancel: delete the target instance."
          },
          "force": {
            "type": "boolean",
            "default": false,
            "description": "With reset: also reset committed entries."
          },
          "comment": {
            "type": "string",
            "description": "Why, for the ledger."
          }
        }
      }
    }
  },
  "simulation.schema.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://ferry.dev/schemas/simulation.schema.json",
    "title": "SimulationDocument",
    "description": "The world of the built-in simulator besides the sim sources' inventory files: the virtual clock, the simulated Incus targets, how the simulated vCenters behave, and scripted events and faults. At most one per repository.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "apiVersion",
      "kind",
      "metadata",
      "spec"
    ],
    "properties": {
      "apiVersion": {
        "$ref": "common.schema.json#/$defs/ApiVersion"
      },
      "kind": {
        "const": "Simulation"
      },
      "metadata": {
        "$ref": "common.schema.json#/$defs/Metadata"
      },
      "spec": {
        "$ref": "#/$defs/SimulationSpec"
      }
    },
    "$defs": {
      "SimulationSpec": {
        "title": "SimulationSpec",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "start"
        ],
        "properties": {
          "start": {
            "$ref": "common.schema.json#/$defs/Timestamp",
            "description": "Where the virtual clock starts when the world is created."
          },
          "targets": {
            "type": "object",
            "propertyNames": {
              "$ref": "common.schema.json#/$defs/ApiName"
            },
            "additionalProperties": {
              "$ref": "#/$defs/SimulatedTarget"
            },
            "description": "Settings of sim Targets by name; a sim Target not listed gets the defaults."
          },
          "sources": {
            "type": "object",
            "propertyNames": {
              "$ref": "common.schema.json#/$defs/ApiName"
            },
            "additionalProperties": {
              "$ref": "#/$defs/SimulatedSource"
            },
            "description": "Settings of sim Sources by name; a sim Source not listed gets the defaults."
          },
          "events": {
            "type": "array",
            "items": {
              "$ref": "#/$defs/SimulationEvent"
            },
            "description": "Scripted changes and faults, applied when the virtual clock reaches their time."
          }
        }
      },
      "SimulatedTarget": {
        "title": "SimulatedTarget",
        "description": "A simulated Incus: what exists on it and how fast it works.",
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "projects": {
            "type": "array",
            "items": {
              "$ref": "common.schema.json#/$defs/ApiName"
            },
            "uniqueItems": true,
            "description": "Incus projects (default always exists). Omitted: the projects the batches' default placements name."
          },
          "storage_pools": {
            "type": "array",
            "items": {
              "$ref": "common.schema.json#/$defs/ApiName"
            },
            "uniqueItems": true,
            "description": "Storage pools, visible in every project. Omitted: the pools the batches' default placements name."
          },
          "networks": {
            "type": "array",
            "items": {
              "$ref": "common.schema.json#/$defs/ApiName"
            },
            "uniqueItems": true,
            "description": "Networks, visible in every project. Omitted: the networks the sources' NICs map to by default and by NetworkOverrides, and the batches' migration networks."
          },
          "instances": {
            "type": "array",
            "items": {
              "$ref": "#/$defs/ForeignInstance"
            },
            "description": "Instances that exist before the campaign and are not Ferry's (no markers)."
          },
          "import_rate": {
            "$ref": "#/$defs/ByteRate",
            "default": "400MiB/s",
            "description": "Throughput of one disk import into this target."
          },
          "create_time": {
            "$ref": "common.schema.json#/$defs/Duration",
            "default": "30s",
            "description": "Time to create an instance definition."
          },
          "post_import_time": {
            "$ref": "common.schema.json#/$defs/Duration",
            "default": "2m",
            "description": "Time the post-import steps take."
          },
          "agent_start_time": {
            "$ref": "common.schema.json#/$defs/Duration",
            "default": "20s",
            "description": "Time from an instance's start until its agent answers (after creation, and when finalize starts it)."
          }
        }
      },
      "ForeignInstance": {
        "title": "ForeignInstance",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "project",
          "name"
        ],
        "properties": {
          "project": {
            "$ref": "common.schema.json#/$defs/ApiName"
          },
          "name": {
            "$ref": "common.schema.json#/$defs/ApiName"
          },
          "running": {
            "type": "boolean",
            "default": true
          }
        }
      },
      "SimulatedSource": {
        "title": "SimulatedSource",
        "description": "How a simulated vCenter behaves.",
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "dirty_rate": {
            "$ref": "#/$defs/ByteRate",
            "default": "1MiB/s",
            "description": "How fast a running VM's disks change (spread over its disks by capacity)."
          },
          "background_import": {
            "type": "boolean",
            "default": true,
            "description": "Whether the source can do background (changed-block) imports at all."
          },
          "offline_sessions": {
            "type": "string",
            "enum": [
              "shared",
              "separate"
            ],
            "default": "shared",
            "description": "shared: offline copies started from this source at the same instant share one transfer session. separate: each copy has its own."
          }
        }
      },
      "ByteRate": {
        "title": "ByteRate",
        "description": "Bytes per second, such as 400MiB/s, 1.5GB/s or 512KiB/s.",
        "type": "string",
        "pattern": "^[0-9]+(\\.[0-9]+)?(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)/s$",
        "x-error-code": "invalid-rate"
      },
      "EventTime": {
        "title": "EventTime",
        "description": "When: a time (2026-12-01T22:00:00Z, 2026-12-01 22:00:00) or an offset from the clock start (+2h, +90m).",
        "type": "string",
        "pattern": "^([0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?|\\+(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+))$",
        "x-error-code": "invalid-event-time"
      },
      "SimulationEvent": {
        "title": "SimulationEvent",
        "description": "One scripted change or fault. Which fields apply depends on type.",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "at",
          "type"
        ],
        "properties": {
          "name": {
            "$ref": "common.schema.json#/$defs/ApiName",
            "description": "Identifies the event when the document is edited after the world was created; unique among events."
          },
          "at": {
            "$ref": "#/$defs/EventTime"
          },
          "type": {
            "type": "string",
            "enum": [
              "power_on",
              "power_off",
              "enable_change_tracking",
              "change_disk",
              "add_disk",
              "remove_disk",
              "resize_disk",
              "change_uuid",
              "rename_vm",
              "set_config",
              "delete_network",
              "add_network",
              "fail",
              "unreachable",
              "crash"
            ]
          },
          "vm": {
            "type": "string",
            "minLength": 1,
            "description": "A VM of a sim Source's inventory: its name, location or UUID as the inventory file has it. For fail: omitted means every VM."
          },
          "source": {
            "$ref": "common.schema.json#/$defs/ApiName",
            "description": "The sim Source: of the vm (when its name is ambiguous), or the one made unreachable."
          },
          "target": {
            "$ref": "common.schema.json#/$defs/ApiName",
            "description": "The sim Target: of the network, or the one made unreachable."
          },
          "disk": {
            "type": "string",
            "minLength": 1,
            "description": "A disk name, such as \"[ds-ssd] web-01/web-01.vmdk\"."
          },
          "bytes": {
            "$ref": "common.schema.json#/$defs/ByteSize",
            "description": "change_disk: how much of the disk is rewritten (default: all of it)."
          },
          "capacity": {
            "$ref": "common.schema.json#/$defs/ByteSize",
            "description": "add_disk, resize_disk: the disk's size."
          },
          "supported": {
            "type": "boolean",
            "default": true,
            "description": "add_disk: whether the new disk supports snapshots."
          },
          "new_uuid": {
            "type": "string",
            "minLength": 1,
            "description": "change_uuid: the VM's new UUID."
          },
          "new_name": {
            "type": "string",
            "minLength": 1,
            "description": "rename_vm: the VM's new name."
          },
          "config": {
            "type": "object",
            "additionalProperties": {
              "type": "string"
            },
            "description": "set_config: keys to set in the VM's config (an empty value removes the key)."
          },
          "network": {
            "$ref": "common.schema.json#/$defs/ApiName",
            "description": "delete_network, add_network: the target network."
          },
          "operation": {
            "type": "string",
            "enum": [
              "transfer",
              "create",
              "start",
              "post_import",
              "prepare",
              "readiness"
            ],
            "description": "fail: which calls fail — disk transfers, instance creations, starts when finalizing, post-import steps; on a target with transfer: mover, a guest's preparation (a Conflict) or the readiness check of a copy (the guest is found not ready to boot)."
          },
          "count": {
            "type": "integer",
            "minimum": 1,
            "default": 1,
            "description": "fail: how many of the next such calls fail."
          },
          "for": {
            "$ref": "common.schema.json#/$defs/Duration",
            "description": "unreachable: how long."
          },
          "step": {
            "type": "string",
            "minLength": 1,
            "description": "crash: the step (crash point) at which the process is killed, once the event is due."
          }
        }
      }
    }
  },
  "source.schema.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://ferry.dev/schemas/source.schema.json",
    "title": "SourceDocument",
    "description": "Where VMs come from: a vCenter or ESXi host, or the built-in simulator. Credentials are references, never values.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "apiVersion",
      "kind",
      "metadata",
      "spec"
    ],
    "properties": {
      "apiVersion": {
        "$ref": "common.schema.json#/$defs/ApiVersion"
      },
      "kind": {
        "const": "Source"
      },
      "metadata": {
        "$ref": "common.schema.json#/$defs/Metadata"
      },
      "spec": {
        "$ref": "#/$defs/SourceSpec"
      }
    },
    "$defs": {
      "SourceSpec": {
        "title": "SourceSpec",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "type"
        ],
        "properties": {
          "type": {
            "type": "string",
            "enum": [
              "vmware",
              "sim"
            ],
            "description": "vmware: vCenter or ESXi. sim: the built-in simulator."
          },
          "inventory_file": {
            "type": "string",
            "minLength": 1,
            "description": "sim only: the simulated vCenter's VMs, a JSON array in migration-manager's instance format, relative to this document's file and inside the repository."
          },
          "endpoint": {
            "type": "string",
            "minLength": 1,
            "description": "https://vcenter.example.com (vmware)."
          },
          "username": {
            "type": "string",
            "minLength": 1
          },
          "password_from": {
            "$ref": "common.schema.json#/$defs/SecretRef"
          },
          "trusted_server_certificate_fingerprint": {
            "$ref": "common.schema.json#/$defs/Fingerprint"
          },
          "trusted_server_certificate_from": {
            "$ref": "common.schema.json#/$defs/SecretRef",
            "description": "A PEM certificate to trust, read at run time."
          },
          "import_limit": {
            "type": "integer",
            "minimum": 0,
            "default": 0,
            "description": "Entries importing from this source at once; 0 is unlimited."
          },
          "connection_timeout": {
            "$ref": "common.schema.json#/$defs/Duration",
            "default": "10m"
          },
          "sync_timeout": {
            "$ref": "common.schema.json#/$defs/Duration",
            "default": "10s",
            "description": "Per-VM fetch timeout during a sync."
          },
          "sync_limit": {
            "type": "integer",
            "minimum": 1,
            "default": 1,
            "description": "VMs fetched concurrently during a sync."
          },
          "datacenters": {
            "type": "array",
            "items": {
              "type": "string",
              "minLength": 1
            },
            "default": [
              "/..."
            ]
          }
        }
      }
    }
  },
  "target.schema.json": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://ferry.dev/schemas/target.schema.json",
    "title": "TargetDocument",
    "description": "Where VMs go: an Incus (or LXD) cluster, or the built-in simulator. TLS material is referenced, never inlined.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "apiVersion",
      "kind",
      "metadata",
      "spec"
    ],
    "properties": {
      "apiVersion": {
        "$ref": "common.schema.json#/$defs/ApiVersion"
      },
      "kind": {
        "const": "Target"
      },
      "metadata": {
        "$ref": "common.schema.json#/$defs/Metadata"
      },
      "spec": {
        "$ref": "#/$defs/TargetSpec"
      }
    },
    "$defs": {
      "TargetSpec": {
        "title": "TargetSpec",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "type"
        ],
        "properties": {
          "type": {
            "type": "string",
            "enum": [
              "incus",
              "sim"
            ],
            "description": "incus: the Incus REST API (also LXD). sim: the built-in simulator."
          },
          "endpoint": {
            "type": "string",
            "minLength": 1,
            "description": "https://incus.example.com:8443 or unix:///var/lib/incus/unix.socket (incus)."
          },
          "trusted_server_certificate_fingerprint": {
            "$ref": "common.schema.json#/$defs/Fingerprint"
          },
          "trusted_server_certificate_from": {
            "$ref": "common.schema.json#/$defs/SecretRef"
          },
          "tls_client_cert_from": {
            "$ref": "common.schema.json#/$defs/SecretRef"
          },
          "tls_client_key_from": {
            "$ref": "common.schema.json#/$defs/SecretRef"
          },
          "trust_token_from": {
            "$ref": "common.schema.json#/$defs/SecretRef",
            "description": "A trust token from `incus config trust add` (incus): when the server does not trust Ferry's client certificate yet, Ferry presents it with this token once."
          },
          "instance_type": {
            "type": "string",
            "enum": [
              "virtual-machine",
              "container"
            ],
            "default": "virtual-machine",
            "description": "What Ferry creates on this target (incus). container is for hosts without virtual-machine support: imported disks are written but cannot be attached."
          },
          "container_image": {
            "$ref": "common.schema.json#/$defs/ApiName",
            "description": "With instance_type container: the alias of an image on the target the containers are created from (without it a container is empty and cannot start)."
          },
          "import_limit": {
            "type": "integer",
            "minimum": 0,
            "default": 50,
            "description": "Entries importing into this target at once; 0 is unlimited."
          },
          "transfer": {
            "type": "string",
            "enum": [
              "stream",
              "mover"
            ],
            "default": "stream",
            "description": "How disk data reaches this target. stream: the reconciler reads each disk from the source and streams it into the target (a powered-off copy). mover: a mover booted inside each new VM copies the disks itself (warm copies of running VMs, changed areas at cutover); see docs/providers/incus.md."
          },
          "mover_image": {
            "type": "string",
            "minLength": 1,
            "description": "With transfer: mover (incus): the path, on the machine running Ferry, of the mover image scripts/build-mover-image.sh builds. Ferry imports it once per storage pool."
          },
          "virtio_win_image": {
            "type": "string",
            "minLength": 1,
            "description": "With transfer: mover (incus): the path, on the machine running Ferry, of the virtio-win ISO (the Windows virtio drivers) the mover installs into Windows guests it prepares. Ferry imports it once per storage pool and attaches it to every mover VM as device ferry-virtio-win."
          },
          "create_limit": {
            "type": "integer",
            "minimum": 0,
            "default": 10,
            "description": "Instances being created on this target at once; 0 is unlimited."
          },
          "connection_timeout": {
            "$ref": "common.schema.json#/$defs/Duration",
            "default": "5m"
          }
        }
      }
    }
  },
};
