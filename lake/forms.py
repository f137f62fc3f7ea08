from django import forms


class DeviceForm(forms.Form):
    # A plain form: a ModelForm would write the new name onto the instance
    # while validating, before the action could record the old one.
    name = forms.CharField(max_length=200, required=False)
