from django.apps import AppConfig


class DesignsConfig(AppConfig):
    name = "designs"
    verbose_name = "Designs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from designs import collab, comments_api
        from designs.models import Revision
        from designs.sharing import claim_invitations

        def claim(sender: object, user: object, **kwargs: object) -> None:
            # Signing up logs the new user in, so this covers sign-up too.
            claim_invitations(user)

        user_logged_in.connect(claim, dispatch_uid="designs-claim-invitations", weak=False)
        # A document saved outside the live session (REST PUT, import, review fix) reaches open editors.
        post_save.connect(collab.revision_created, sender=Revision, dispatch_uid="designs.collab.revision_created")
        # ... and moves the review state's current revision (an edit makes approvals stale).
        post_save.connect(
            comments_api.revision_created, sender=Revision, dispatch_uid="designs.comments_api.revision_created"
        )
