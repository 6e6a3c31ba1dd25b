"""The ansettelsesutvalg (employment committee): vacancies and vacant stillingsandeler, the
candidates from the living documents, distributing shares, and the committee's decisions."""
