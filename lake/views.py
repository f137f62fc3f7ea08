from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render

from lake.access import get_device_for_user
from lake.actions import rename_device
from lake.forms import DeviceForm
from lake.models import Device


@permission_required("console.use_lake", raise_exception=True)
def devices(request):
    return render(request, "lake/devices.html", {"devices": Device.objects.filter(user=request.user)})


@permission_required("console.use_lake", raise_exception=True)
def device_detail(request, device_id):
    device = get_device_for_user(request.user, device_id)
    form = DeviceForm(request.POST or None, initial={"name": device.name})
    if request.method == "POST" and form.is_valid():
        rename_device(device, form.cleaned_data["name"], request=request)
        messages.success(request, "Device renamed.")
        return redirect("lake:devices")
    return render(request, "lake/device_detail.html", {"device": device, "form": form})
