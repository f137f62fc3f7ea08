from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "sources.contacts"
    label = "contacts"
    verbose_name = "Contacts"
