# JSON columns: TiDB's binary JSON storage, MySQL text output, JSON_EXTRACT / -> / ->>, constructors, type and validity functions, containment, comparisons, ordering and grouping by MySQL's JSON precedence, CAST AS JSON, DDL restrictions and invalid documents.
CREATE TABLE docs (id INT PRIMARY KEY, doc JSON);
----
ok 0

INSERT INTO docs VALUES (1, '{"name": "ann", "age": 31, "tags": ["a", "b"], "addr": {"city": "Oslo", "zip": "0150"}}'), (2, '[1, "two", null, true, 2.5]'), (3, NULL), (4, '"just a string"'), (5, '42'), (6, '{"name": "bob", "age": 27, "tags": []}');
----
ok 6

SELECT id, doc, JSON_TYPE(doc) FROM docs ORDER BY id;
----
id | doc | JSON_TYPE(doc)
1 | {"addr": {"city": "Oslo", "zip": "0150"}, "age": 31, "name": "ann", "tags": ["a", "b"]} | OBJECT
2 | [1, "two", null, true, 2.5] | ARRAY
3 | NULL | NULL
4 | "just a string" | STRING
5 | 42 | INTEGER
6 | {"age": 27, "name": "bob", "tags": []} | OBJECT

SELECT id, doc->'$.name', doc->>'$.name', doc->>'$.addr.city', doc->'$.tags[1]', JSON_EXTRACT(doc, '$.tags[*]', '$.age') FROM docs WHERE id IN (1, 6) ORDER BY id;
----
id | doc->'$.name' | doc->>'$.name' | doc->>'$.addr.city' | doc->'$.tags[1]' | JSON_EXTRACT(doc, '$.tags[*]', '$.age')
1 | "ann" | ann | Oslo | "b" | ["a", "b", 31]
6 | "bob" | bob | NULL | NULL | [27]

SELECT id FROM docs WHERE doc->>'$.name' = 'bob' OR doc->'$.age' > 30 ORDER BY id;
----
id
1
6

SELECT id, doc->'$[1]', doc->'$[last]', doc->'$[0]', JSON_EXTRACT(doc, '$**.city') FROM docs WHERE id IN (1, 2, 5) ORDER BY id;
----
id | doc->'$[1]' | doc->'$[last]' | doc->'$[0]' | JSON_EXTRACT(doc, '$**.city')
1 | NULL | {"addr": {"city": "Oslo", "zip": "0150"}, "age": 31, "name": "ann", "tags": ["a", "b"]} | {"addr": {"city": "Oslo", "zip": "0150"}, "age": 31, "name": "ann", "tags": ["a", "b"]} | ["Oslo"]
2 | "two" | 2.5 | 1 | NULL
5 | NULL | 42 | 42 | NULL

SELECT JSON_OBJECT('k', 1, 'l', 'two', 'm', NULL, 'n', JSON_ARRAY(1, 2)), JSON_ARRAY(1, 'a', NULL, 2.5, JSON_OBJECT());
----
JSON_OBJECT('k', 1, 'l', 'two', 'm', NULL, 'n', JSON_ARRAY(1, 2)) | JSON_ARRAY(1, 'a', NULL, 2.5, JSON_OBJECT())
{"k": 1, "l": "two", "m": null, "n": [1, 2]} | [1, "a", null, 2.5, {}]

SELECT id, JSON_LENGTH(doc), JSON_KEYS(doc), JSON_LENGTH(doc, '$.tags') FROM docs ORDER BY id;
----
id | JSON_LENGTH(doc) | JSON_KEYS(doc) | JSON_LENGTH(doc, '$.tags')
1 | 4 | ["addr", "age", "name", "tags"] | 2
2 | 5 | NULL | NULL
3 | NULL | NULL | NULL
4 | 1 | NULL | NULL
5 | 1 | NULL | NULL
6 | 3 | ["age", "name", "tags"] | 0

SELECT JSON_VALID('{"a": 1}'), JSON_VALID('{a: 1}'), JSON_VALID(NULL), JSON_QUOTE('say "hi"'), JSON_UNQUOTE('"a\\tb"');
----
JSON_VALID('{"a": 1}') | JSON_VALID('{a: 1}') | JSON_VALID(NULL) | JSON_QUOTE('say "hi"') | JSON_UNQUOTE('"a\\tb"')
1 | 0 | NULL | "say \"hi\"" | a	b

SELECT JSON_CONTAINS('[1, 2, [3, 4]]', '[1, 3]'), JSON_CONTAINS('{"a": 1, "b": 2}', '{"a": 1}'), JSON_CONTAINS('{"a": [1, 2]}', '2', '$.a'), JSON_CONTAINS('[1]', '"1"');
----
JSON_CONTAINS('[1, 2, [3, 4]]', '[1, 3]') | JSON_CONTAINS('{"a": 1, "b": 2}', '{"a": 1}') | JSON_CONTAINS('{"a": [1, 2]}', '2', '$.a') | JSON_CONTAINS('[1]', '"1"')
1 | 1 | 1 | 0

SELECT id FROM docs WHERE JSON_CONTAINS(doc->'$.tags', '"b"') ORDER BY id;
----
id
1

SELECT doc, COUNT(*) FROM docs GROUP BY doc ORDER BY doc;
----
doc | COUNT(*)
NULL | 1
42 | 1
"just a string" | 1
{"addr": {"city": "Oslo", "zip": "0150"}, "age": 31, "name": "ann", "tags": ["a", "b"]} | 1
{"age": 27, "name": "bob", "tags": []} | 1
[1, "two", null, true, 2.5] | 1

SELECT CAST('[1, 2]' AS JSON), CAST(5 AS JSON), CAST('x' AS CHAR) = CAST('"x"' AS JSON);
----
cast('[1, 2]' as json) | cast(5 as json) | CAST('x' AS CHAR) = CAST('"x"' AS JSON)
[1, 2] | 5 | 1

UPDATE docs SET doc = JSON_OBJECT('replaced', TRUE) WHERE id = 5;
----
ok 1

SELECT doc FROM docs WHERE id = 5;
----
doc
{"replaced": 1}

INSERT INTO docs VALUES (7, '{bad');
----
error 3140: Invalid JSON text: "expected key at 1" in value '{bad' at row 1 for column 'doc'.

SELECT JSON_EXTRACT(doc, '$.') FROM docs;
----
error 3143: Invalid JSON path expression. The error is around character position 2.

SELECT JSON_TYPE('not json');
----
error 3141: Invalid JSON text in argument 1 to function JSON_TYPE: "not json".

CREATE TABLE bad_default (id INT PRIMARY KEY, d JSON DEFAULT '{}');
----
error 1101: BLOB, TEXT, GEOMETRY or JSON column 'd' can't have a default value

CREATE TABLE bad_index (id INT PRIMARY KEY, d JSON, KEY kd (d));
----
error 3152: JSON column 'd' supports indexing only via generated columns

ALTER TABLE docs ADD COLUMN extra JSON NOT NULL;
----
ok 0

SELECT id, extra FROM docs WHERE id = 1;
----
id | extra
1 | null
