"""Screens the app pushes: each takes what it needs in its constructor and reports by messages.

mapping.MappingScreen, user_profile.UserProfileScreen, journeys.JourneysScreen,
replay.ReplayScreen, diagnose.DiagnoseScreen, blueprint_picker.BlueprintPickerScreen. Deliveries
reach the app as its own DeliveryStarted / DeliveryUpdated / DeliveryFinished messages; choices
come back as dismiss results. Nothing here is imported until a screen is opened.
"""
