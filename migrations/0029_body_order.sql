-- Swedish committee documents list the fullmäktige, then the styrelse, the nämnder, joint
-- nämnder and last the companies' boards, by name within each (issue 30). One function says
-- so for every query that lists bodies.
CREATE FUNCTION body_rank(kind text) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE kind WHEN 'kf' THEN 0 WHEN 'ks' THEN 1 WHEN 'namnd' THEN 2 WHEN 'gemensam_namnd' THEN 3 ELSE 4 END
$$;
