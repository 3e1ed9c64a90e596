"""The managers' dashboard (Streamlit) over the published BI database."""
