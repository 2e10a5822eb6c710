"""Streamlit entry point: ``cbw dashboard`` runs ``streamlit run`` on this file."""

from customer_behaviour.dashboard import pages

pages.main()
