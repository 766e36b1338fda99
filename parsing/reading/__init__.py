"""Reading the four details: lay out the new text, let small named rules propose candidates
with their evidence, choose per detail by strength and a precedence table (`reader.read`)."""
